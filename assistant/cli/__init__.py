"""The `regelrett` command line."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Regelrett: cited answers.")


def main() -> None:
    app()
