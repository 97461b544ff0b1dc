"""Regelrett as an `EvalSystem`: the same `Assistant.answer()` every surface calls."""

from __future__ import annotations

import time

from assistant.answer import Assistant
from assistant.records import Passage
from evals.harness import CurrencyMark, RunPassage, SystemOutput

NAME = "regelrett"


def run_passage(p: Passage) -> RunPassage:
    """A retrieved passage as the eval harness scores it."""
    return RunPassage(
        source=p.source_id,
        section=p.section,
        section_labels=list(p.section_labels),
        page_start=p.page_start,
        page_end=p.page_end,
        text=p.text,
    )


class RegelrettSystem:
    name = NAME

    def __init__(self, assistant: Assistant, mode: str | None = None) -> None:
        self.assistant = assistant
        self.mode = mode

    def run(self, question: str, lang: str) -> SystemOutput:
        t0 = time.perf_counter()
        answer = self.assistant.answer(question, mode=self.mode, lang=lang)
        seconds = time.perf_counter() - t0
        passages = [run_passage(p) for p in answer.sources]
        return SystemOutput(
            passages=passages,
            refused=answer.refused,
            answer=answer.answer,
            citations_verified=[c.verified for c in answer.citations],
            seconds=seconds,
            currency=[
                CurrencyMark(n.kind, n.source_id, n.applicable_source_id) for n in answer.currency
            ],
        )
