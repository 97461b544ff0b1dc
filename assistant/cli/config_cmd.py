"""`regelrett config`: the effective settings, secrets masked."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from assistant.cli.common import console, load_settings
from assistant.settings import describe_fields, masked_dump


def config(
    describe: bool = typer.Option(
        False, "--describe", help="List every setting with its variable."
    ),
) -> None:
    """Print the effective settings (secrets shown as ***)."""
    settings = load_settings()
    if describe:
        table = Table("variable", "default", "description")
        for env, default, description in describe_fields():
            table.add_row(env, default, description)
        console.print(table)
        return
    typer.echo(json.dumps(masked_dump(settings), indent=2, ensure_ascii=False))
