"""The one core function every surface calls: `Assistant.answer(question, ...) -> Answer`.

Flow: mask personal data in the question; retrieve; decide whether the sources answer it
(refusal below a calibrated confidence); build the answer (extractive, or with a chat model);
pass every quote through the verification gate; attach warnings about versions and dates (a
cited act not in force on the question's date, repealed, or applying only later: see
`assistant.answer.currency`).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.answer.answerability import Answerability, load_for
from assistant.answer.currency import currency_notes
from assistant.answer.extractive import Quote, compose, pick_quotes
from assistant.answer.facts import asks_fact
from assistant.answer.figures import asked, unstated
from assistant.answer.generative import (
    LANGUAGE_NAMES,
    NO_ANSWER,
    check_sentence,
    sentences_from,
    sources_block,
)
from assistant.answer.texts import text
from assistant.answer.verify import quote_in
from assistant.embeddings import Embedder
from assistant.llm import ChatModel, make_chat_model
from assistant.pii import mask
from assistant.prompts import Prompts, load_prompts
from assistant.records import Answer, Citation, Passage, authority_label
from assistant.resources import data_folder
from assistant.retrieval import Filters, Retrieval, Retriever
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.text import analyse
from assistant.settings import Settings
from assistant.store import VectorStore

LANGS = ("nb", "nn", "en")
MODES = ("extractive", "llm")


@dataclass
class Event:
    """One step of a streamed answer: sources, delta, citation, done or error."""

    kind: str
    data: Any


class Assistant:
    """Holds the retriever and, in LLM mode, the chat model. Cheap to construct."""

    def __init__(
        self,
        settings: Settings,
        store: VectorStore,
        embedder: Embedder,
        chat_model: ChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = Retriever(settings, store, embedder)
        self.prompts = load_prompts()
        self._chat = chat_model
        self.config_hash = _config_hash(settings, self.prompts)
        self._answerability: Answerability | Literal[False] | None = None
        self._lock = threading.Lock()

    def chat_model(self) -> ChatModel:
        if self._chat is None:
            self._chat = make_chat_model(self.settings.llm)
        return self._chat

    def warm_up(self) -> None:
        self.retriever.warm_up()
        self.answerability()

    def answerability(self) -> Answerability | None:
        """The answerability scorer (settings.answer.answerability, else the shipped
        knowledge/answerability.json); None when off, absent, or learnt with another embedder."""
        with self._lock:
            if self._answerability is None:
                configured = self.settings.answer.answerability
                if configured == "off":
                    self._answerability = False
                else:
                    path = (
                        Path(configured)
                        if configured
                        else data_folder("knowledge") / "answerability.json"
                    )
                    if configured and not path.is_file():
                        raise ValueError(f"the answerability scorer {path} does not exist")
                    embedder = self.retriever.embedder
                    self._answerability = load_for(path, embedder.id, embedder.dim) or False
            return self._answerability or None

    def answer(
        self,
        question: str,
        *,
        mode: str | None = None,
        filters: Filters | None = None,
        lang: str | None = None,
    ) -> Answer:
        """Answer a question from the sources, with verified numbered citations."""
        final: Answer | None = None
        for event in self.stream(question, mode=mode, filters=filters, lang=lang):
            if event.kind == "done":
                final = event.data
        assert final is not None
        return final

    def stream(
        self,
        question: str,
        *,
        mode: str | None = None,
        filters: Filters | None = None,
        lang: str | None = None,
    ) -> Iterator[Event]:
        """The answer as events: `sources` first, then `delta` text and `citation`s, then
        `done` with the final Answer. Only verified text is ever sent."""
        t0 = time.perf_counter()
        mode = mode or self.settings.answer.mode
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        masked = mask(question).text
        filters = filters or Filters()
        retrieval = self.retriever.retrieve(masked, filters)
        language = lang if lang in LANGS else retrieval.language
        for p in retrieval.passages:
            p.authority = authority_label(p.doc_type, language)
        index = retrieval.index or self.retriever.index()  # the index retrieval used
        quotes = pick_quotes(
            self._query_tokens(masked, language, index),
            retrieval.passages,
            index,
            referenced=frozenset(p.chunk_id for p in retrieval.passages if "reference" in p.scores),
        )
        answer = Answer(
            id=uuid.uuid4().hex,
            question=masked,
            language=language,
            answer="",
            sources=retrieval.passages[: self.settings.answer.sources_shown],
            confidence=round(self._confidence(retrieval, quotes), 4),
            mode=mode,
            config_hash=self.config_hash,
            as_of=filters.day.isoformat(),
        )
        timings = {f"retrieval_{k}": v for k, v in retrieval.timings.items()}
        yield Event("sources", answer.sources)
        # A law the sources do not hold, named in the question, or governing its subject
        # ("eiendomsskatt"): the question is not answered from the other sources, unless it
        # also names a law we hold (or, for a subject, touches what the sources cover); then
        # it is answered with a warning.
        elsewhere = ""
        subjects = [s.name(language) for s in retrieval.absent_subjects]
        for note, answerable in (
            (
                _names_note(retrieval.unknown_laws, language, "unknown_law"),
                retrieval.names_known_law,
            ),
            (_names_note(subjects, language, "subject_law"), retrieval.covered),
            (
                _names_note(retrieval.unknown_standards, language, "unknown_standard"),
                retrieval.names_known_law,
            ),
        ):
            if not note or elsewhere:
                continue
            if answerable:
                answer.warnings.append(note)
            else:
                elsewhere = note
        fact = asks_fact(masked) if not elsewhere else None
        if fact:
            # who was fined, what was approved, today's rate: events and values, not rules
            elsewhere = text(language, f"fact_{fact}")
        depth = self.settings.answer.figure_depth
        figures = asked(masked) if depth and not elsewhere else []
        missing = unstated(figures, [p.text for p in retrieval.passages[:depth]])
        if missing:
            # asked "how much" or "how long", and the best passages state no such figure
            what = text(language, f"figure_{missing[0].kind}")
            elsewhere = text(language, "no_figure", what=what)
        if answer.confidence < self._threshold(language) or not quotes or elsewhere:
            self._refuse(answer, retrieval.passages, elsewhere)
            yield Event("delta", answer.answer)
        elif self._unanswerable(retrieval, answer.confidence):
            # what the question asks is of a kind the sources do not give (a figure, a local
            # practice, an event, a product's menu…), however close the passages are
            self._refuse(answer, retrieval.passages)
            yield Event("delta", answer.answer)
        elif mode == "llm":
            answer.sources = retrieval.passages[: self.settings.answer.llm_sources]
            yield from self._generate(answer, retrieval, quotes)
        else:
            yield from self._extract(answer, retrieval.passages, quotes)
        t1 = time.perf_counter()
        by_id = {p.chunk_id: p for p in retrieval.passages}
        cited = [(by_id[c.chunk_id], c.section) for c in answer.citations if c.chunk_id in by_id]
        notes, extra = currency_notes(self.retriever, retrieval, filters, language, cited)
        answer.currency = notes
        answer.warnings += [n.text for n in notes if n.text not in answer.warnings] + extra
        timings["currency"] = time.perf_counter() - t1
        timings["total"] = time.perf_counter() - t0
        answer.timings = {k: round(v, 5) for k, v in timings.items()}
        yield Event("done", answer)

    # -- parts --------------------------------------------------------------------------------

    def _extract(
        self, answer: Answer, passages: Sequence[Passage], quotes: Sequence[Quote]
    ) -> Iterator[Event]:
        body, citations = compose(answer.language, passages, quotes)
        answer.answer, answer.citations = self._gate(body, citations, passages)
        if not answer.citations:
            self._refuse(answer, passages)
            yield Event("delta", answer.answer)
            return
        for i, part in enumerate(answer.answer.split("\n\n")):
            yield Event("delta", ("\n\n" if i else "") + part)
        for c in answer.citations:
            yield Event("citation", c)

    def _generate(
        self, answer: Answer, retrieval: Retrieval, quotes: Sequence[Quote]
    ) -> Iterator[Event]:
        """LLM mode: stream the model's sentences through the gate; fall back to extractive."""
        passages = answer.sources
        chat = self.chat_model()
        answer.model = chat.id
        system = self.prompts.render(
            "answer_system",
            language_name=LANGUAGE_NAMES[answer.language],
            no_answer=NO_ANSWER,
        )
        user = self.prompts.render(
            "answer_user", sources=sources_block(passages), question=answer.question
        )
        kept: list[str] = []
        removed = 0
        for sentence in sentences_from(chat.stream(system, user)):
            if NO_ANSWER in sentence:
                continue
            checked = check_sentence(sentence, passages)
            if not checked.kept:
                removed += 1
                continue
            yield Event("delta", ("\n\n" if kept else "") + sentence)
            kept.append(sentence)
            for c in checked.citations:
                answer.citations.append(c)
                yield Event("citation", c)
        answer.answer = "\n\n".join(kept)
        if removed:
            answer.warnings.append(text(answer.language, "removed", n=removed))
        if not kept:
            # nothing verifiable came back: the extractive answer stands instead
            answer.mode = "extractive"
            answer.warnings.append(text(answer.language, "fallback"))
            answer.sources = retrieval.passages[: self.settings.answer.sources_shown]
            yield Event("reset", None)
            yield from self._extract(answer, retrieval.passages, quotes)

    def _query_tokens(
        self, question: str, language: str, index: LexicalIndex
    ) -> dict[str, set[str]]:
        glossary = self.retriever.glossary
        if language == "en":
            en = question
            no = " ".join([question, *glossary.to_norwegian(question)])
        else:
            no = " ".join([question, *glossary.other_norwegian(question)])
            en = " ".join([question, *glossary.to_english(question)])
        return {
            "no": set(analyse(no, "nb", index.vocab)),
            "en": set(analyse(en, "en", index.vocab)),
        }

    def _unanswerable(self, retrieval: Retrieval, confidence: float) -> bool:
        scorer = self.answerability()
        if scorer is None or retrieval.vector is None:
            return False
        if any(r.explicit_law for r in retrieval.references):
            return False  # a question that names its law and section is about that provision
        if retrieval.passages and retrieval.passages[0].doc_type == "template":
            # the office's own template or routine answers questions about local practice,
            # the very kind the scorer learnt to refuse from sources that hold none
            return False
        return scorer.refuses(retrieval.vector, confidence, retrieval.question)

    def _threshold(self, language: str) -> float:
        """The refusal threshold for a question in `language` (English has its own, if set)."""
        a = self.settings.answer
        if language == "en" and a.refusal_threshold_en is not None:
            return a.refusal_threshold_en
        return a.refusal_threshold

    def _confidence(self, retrieval: Retrieval, quotes: Sequence[Quote]) -> float:
        """How sure we are that the sources answer the question, in [0, 1].

        The mean of the best dense similarity (rescaled from the embedder's typical range) and
        the best BM25 score (log-scaled): on our eval set these two separated answerable from
        unanswerable questions better than either alone or than sentence coverage (see
        docs/benchmarks.md). A question that names its law and section counts as answerable.
        """
        a = self.settings.answer
        dense = min(1.0, max(0.0, (retrieval.best_dense - a.dense_floor) / a.dense_span))
        lexical = min(1.0, math.log1p(retrieval.best_lexical) / math.log1p(a.lexical_full))
        score = 0.5 * dense + 0.5 * lexical
        if any(r.explicit_law for r in retrieval.references):
            score = max(score, 0.9)
        return score

    def _refuse(self, answer: Answer, passages: Sequence[Passage], first: str = "") -> None:
        closest = _closest(passages)
        answer.refused = True
        answer.citations = []
        answer.answer = (first + " " if first else "") + (
            text(answer.language, "refusal", closest=closest)
            if closest
            else text(answer.language, "refusal_none")
        )

    def _gate(
        self, body: str, citations: list[Citation], passages: Sequence[Passage]
    ) -> tuple[str, list[Citation]]:
        """Keep only citations whose quote stands verbatim in the passage they point to."""
        by_id = {p.chunk_id: p for p in passages}
        kept = []
        for c in citations:
            p = by_id.get(c.chunk_id)
            c.verified = p is not None and quote_in(c.quote, p.text)
            if c.verified:
                kept.append(c)
        if len(kept) != len(citations):
            lines = [line for line in body.split("\n\n") if any(c.quote in line for c in kept)]
            body = "\n\n".join(lines)
        return body, kept


def _closest(passages: Sequence[Passage], n: int = 3) -> str:
    seen: list[str] = []
    for p in passages:
        label = f"{p.display_name} {p.section}".strip()
        if label not in seen:
            seen.append(label)
        if len(seen) >= n:
            break
    return "; ".join(seen)


def _config_hash(settings: Settings, prompts: Prompts) -> str:
    relevant = {
        "embedder": settings.embedder.model_dump(),
        "chunking": settings.chunking.model_dump(),
        "retrieval": settings.retrieval.model_dump(),
        "answer": settings.answer.model_dump(),
        "llm": {"model": settings.llm.model, "temperature": settings.llm.temperature},
        "prompts": prompts.texts,
    }
    blob = json.dumps(relevant, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


__all__ = ["Assistant", "Event"]


def _names_note(laws: Sequence[str], lang: str, key: str) -> str:
    """The text `key` with the names of `laws` joined ('A, B og C'), or '' for none; a name
    that opens the sentence ('Plan- og bygningsloven er ikke blant kildene …') starts with a
    capital."""
    if not laws:
        return ""
    names = list(dict.fromkeys(laws))
    joined = (
        names[0]
        if len(names) == 1
        else (", ".join(names[:-1]) + f" {text(lang, 'and')} " + names[-1])
    )
    note = text(lang, key, laws=joined)
    return note[:1].upper() + note[1:]
