"""The `regelrett` command line: one module per command."""

from __future__ import annotations

import typer

from assistant.cli import (
    ask_cmd,
    audit_cmd,
    bench_cmd,
    config_cmd,
    eval_cmd,
    ingest_cmd,
    keys_cmd,
    serve_cmd,
    slack_cmd,
    sources_cmd,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Regelrett: cited answers.")
app.command("ingest")(ingest_cmd.ingest)
app.command("ask")(ask_cmd.ask)
app.command("config")(config_cmd.config)
app.command("eval")(eval_cmd.eval_cmd)
app.command("calibrate")(eval_cmd.calibrate_cmd)
app.command("train-rerank")(eval_cmd.train_rerank_cmd)
app.command("train-refusal")(eval_cmd.train_refusal_cmd)
app.command("serve")(serve_cmd.serve)
app.command("slack")(slack_cmd.slack)
app.add_typer(sources_cmd.app, name="sources")
app.add_typer(bench_cmd.app, name="bench")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(audit_cmd.app, name="audit")


def main() -> None:
    app()
