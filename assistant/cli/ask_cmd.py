"""`regelrett ask`: one question, the answer with its citations."""

from __future__ import annotations

import typer
from rich.markup import escape

from assistant.cli.common import console, fail, load_settings
from assistant.embeddings import EmbedderError
from assistant.records import Answer
from assistant.retrieval import Filters
from assistant.store import StoreError


def print_answer(answer: Answer) -> None:
    title = "Kildene svarer ikke" if answer.refused else "Svar"
    console.print(f"[bold]{title}[/] (confidence {answer.confidence:.2f})")
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
            line = f"[{c.n}] {c.title}{' (' + c.abbreviation + ')' if c.abbreviation else ''}"
            console.print(escape(f"{line}, {where}{mark}"), highlight=False)
            if c.url:
                console.print(f"    {escape(c.url)}", highlight=False)
    for w in answer.warnings:
        console.print(f"[yellow]Merk:[/] {escape(w)}", highlight=False)


def ask(
    question: str = typer.Argument(..., help="The question, in bokmål, nynorsk or English."),
    mode: str | None = typer.Option(None, "--mode", help="extractive (default) or llm."),
    as_json: bool = typer.Option(False, "--json", help="Print the Answer record as JSON."),
    doc_type: list[str] = typer.Option([], "--doc-type", help="Only these document types."),
    lang: str | None = typer.Option(None, "--lang", help="Answer language: nb, nn or en."),
) -> None:
    """Answer a question from the indexed sources, with numbered citations."""
    from assistant.wiring import open_assistant

    if not question.strip():
        fail("the question is empty")
    settings = load_settings()
    try:
        with open_assistant(settings) as assistant:
            answer = assistant.answer(
                question, mode=mode, filters=Filters(doc_types=tuple(doc_type)), lang=lang
            )
    except (StoreError, EmbedderError) as exc:
        fail(str(exc))
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)
