"""`regelrett ask`: one question, the answer with its citations."""

from __future__ import annotations

from datetime import date

import typer
from rich.markup import escape

from assistant.cli.common import console, err_console, fail, load_settings
from assistant.embeddings import EmbedderError
from assistant.records import Answer, display_name
from assistant.retrieval import Filters
from assistant.settings import Settings
from assistant.store import StoreError


def print_verified(answer: Answer) -> None:
    v = answer.verified
    if v is None:
        return
    console.print(f"[bold green]{v.label}[/] ({escape(v.reviewer)}, {v.reviewed})")
    console.print(escape(v.answer), highlight=False)
    for c in v.citations:
        console.print(escape(f"[{c.n}] {c.title} {c.section}".rstrip()), highlight=False)
    console.print()


def print_answer(answer: Answer) -> None:
    print_verified(answer)
    title = "Kildene svarer ikke" if answer.refused else "Svar"
    when = f", per {answer.as_of}" if answer.as_of else ""
    console.print(f"[bold]{title}[/] (confidence {answer.confidence:.2f}{when})")
    console.print(escape(answer.answer), highlight=False)
    if answer.citations:
        console.print("\n[bold]Kilder[/]")
        seen: set[int] = set()
        for c in answer.citations:
            if c.n in seen:
                continue
            seen.add(c.n)
            where = ", ".join(x for x in (c.section, f"s. {c.page}" if c.page else "") if x)
            mark = "" if c.verified else " (ikke verifisert)"
            line = f"[{c.n}] {display_name(c.title, c.abbreviation, c.version)}"
            console.print(escape(f"{line}, {where} – {c.authority}{mark}"), highlight=False)
            if c.url:
                console.print(f"    {escape(c.url)}", highlight=False)
    for w in answer.warnings:
        console.print(f"[yellow]Merk:[/] {escape(w)}", highlight=False)


def _record(settings: Settings, answer: Answer, tenant: str) -> None:
    """The audit log, as for every surface; a database that is away only warns."""
    from assistant.audit.recorder import Recorder
    from assistant.observability.context import new_request_id

    answer.request_id = answer.request_id or "cli-" + new_request_id()
    recorder = Recorder.for_settings(settings)
    try:
        recorder.answered(answer, surface="cli", tenant=tenant)
        if recorder.degraded:
            err_console.print(f"[yellow]audit log not written:[/] {recorder.degraded}")
    finally:
        recorder.close()


def ask(
    question: str = typer.Argument(..., help="The question, in bokmål, nynorsk or English."),
    mode: str | None = typer.Option(None, "--mode", help="extractive (default) or llm."),
    as_json: bool = typer.Option(False, "--json", help="Print the Answer record as JSON."),
    doc_type: list[str] = typer.Option([], "--doc-type", help="Only these document types."),
    lang: str | None = typer.Option(None, "--lang", help="Answer language: nb, nn or en."),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="The date the question is about (YYYY-MM-DD); default today. What is in force "
        "then ranks first, and the answer warns about what is not.",
    ),
    tenant: str | None = typer.Option(
        None,
        "--tenant",
        help="Search this municipality's sources besides the national layer; default: "
        "REGELRETT_TENANT (none: the national layer only).",
    ),
) -> None:
    """Answer a question from the indexed sources, with numbered citations."""
    from assistant.wiring import open_assistant

    if not question.strip():
        fail("the question is empty")
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    settings = load_settings()
    tenant = settings.tenant if tenant is None else tenant
    filters = Filters.for_tenant(tenant, doc_types=tuple(doc_type), as_of=day)
    try:
        with open_assistant(settings) as assistant:
            answer = assistant.answer(question, mode=mode, filters=filters, lang=lang)
    except (StoreError, EmbedderError) as exc:
        fail(str(exc))
    _record(settings, answer, tenant)
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)
