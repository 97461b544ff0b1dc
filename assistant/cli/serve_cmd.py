"""`regelrett serve`: the HTTP service."""

from __future__ import annotations

import typer

from assistant.cli.common import console, load_settings


def serve(
    host: str | None = typer.Option(None, "--host", help="Default: REGELRETT_SERVER_HOST."),
    port: int | None = typer.Option(None, "--port", help="Default: REGELRETT_SERVER_PORT."),
) -> None:
    """Serve the HTTP API on http://HOST:PORT."""
    import uvicorn

    from assistant.server import create_app

    settings = load_settings()
    host = host or settings.server.host
    port = port or settings.server.port
    console.print(f"Regelrett on http://{host}:{port}", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
