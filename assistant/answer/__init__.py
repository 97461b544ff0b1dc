"""The one core function every surface calls: `Assistant.answer(question, ...) -> Answer`.

Flow: mask personal data in the question; retrieve; decide whether the sources answer it
(refusal below a calibrated confidence); build the answer (extractive, or with a chat model);
pass every quote through the verification gate; attach warnings (a cited act not in force).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import uuid
from collections.abc import Sequence

from assistant.answer.extractive import Quote, compose, pick_quotes
from assistant.answer.texts import text
from assistant.answer.verify import quote_in
from assistant.embeddings import Embedder
from assistant.pii import mask
from assistant.records import Answer, Citation, Passage
from assistant.retrieval import Filters, Retrieval, Retriever
from assistant.retrieval.text import analyse
from assistant.settings import Settings
from assistant.store import VectorStore

LANGS = ("nb", "nn", "en")


class Assistant:
    """Holds the retriever (and, in LLM mode, the chat model). Cheap to construct."""

    def __init__(self, settings: Settings, store: VectorStore, embedder: Embedder) -> None:
        self.settings = settings
        self.retriever = Retriever(settings, store, embedder)
        self.config_hash = _config_hash(settings)

    def warm_up(self) -> None:
        self.retriever.warm_up()

    def answer(
        self,
        question: str,
        *,
        mode: str | None = None,
        filters: Filters | None = None,
        lang: str | None = None,
    ) -> Answer:
        t0 = time.perf_counter()
        masked = mask(question).text
        retrieval = self.retriever.retrieve(masked, filters)
        language = lang if lang in LANGS else retrieval.language
        index = self.retriever.index()
        q_tokens = self._query_tokens(masked, language)
        quotes = pick_quotes(q_tokens, retrieval.passages, index)
        confidence = self._confidence(retrieval, quotes)
        timings = {f"retrieval_{k}": v for k, v in retrieval.timings.items()}
        answer = Answer(
            id=uuid.uuid4().hex,
            question=masked,
            language=language,
            answer="",
            sources=retrieval.passages[: self.settings.answer.sources_shown],
            confidence=round(confidence, 4),
            mode="extractive",
            config_hash=self.config_hash,
        )
        if confidence < self.settings.answer.refusal_threshold or not quotes:
            self._refuse(answer, retrieval.passages)
        else:
            body, citations = compose(language, retrieval.passages, quotes)
            answer.answer, answer.citations = self._gate(body, citations, retrieval.passages)
            if not answer.citations:
                self._refuse(answer, retrieval.passages)
            answer.warnings = _warnings(language, answer.citations, retrieval.passages)
        timings["total"] = time.perf_counter() - t0
        answer.timings = {k: round(v, 5) for k, v in timings.items()}
        return answer

    # -- parts --------------------------------------------------------------------------------

    def _query_tokens(self, question: str, language: str) -> dict[str, set[str]]:
        index = self.retriever.index()
        glossary = self.retriever.glossary
        if language == "en":
            en = question
            no = " ".join([question, *glossary.to_norwegian(question)])
        else:
            no = question
            en = " ".join(glossary.to_english(question)) + " " + question
        return {
            "no": set(analyse(no, "nb", index.vocab)),
            "en": set(analyse(en, "en", index.vocab)),
        }

    def _confidence(self, retrieval: Retrieval, quotes: Sequence[Quote]) -> float:
        """How sure we are that the sources answer the question, in [0, 1].

        Combines the best dense similarity (rescaled from the embedder's typical range), the
        share of the question's weight the best sentence covers, and explicit references.
        """
        a = self.settings.answer
        dense = min(1.0, max(0.0, (retrieval.best_dense - a.dense_floor) / a.dense_span))
        coverage = max((q.coverage for q in quotes), default=0.0)
        score = 0.5 * dense + 0.5 * math.sqrt(coverage)
        if any(r.explicit_law for r in retrieval.references):
            score = max(score, 0.9)
        return score

    def _refuse(self, answer: Answer, passages: Sequence[Passage]) -> None:
        closest = _closest(passages)
        answer.refused = True
        answer.citations = []
        answer.answer = (
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


def _warnings(lang: str, citations: Sequence[Citation], passages: Sequence[Passage]) -> list[str]:
    by_id = {p.chunk_id: p for p in passages}
    out: list[str] = []
    for c in citations:
        p = by_id.get(c.chunk_id)
        if p is None:
            continue
        key = {"not_in_force": "not_in_force", "repealed": "repealed"}.get(p.status)
        if key:
            warning = text(lang, key, name=p.display_name)
            if warning not in out:
                out.append(warning)
    return out


def _config_hash(settings: Settings) -> str:
    relevant = {
        "embedder": settings.embedder.model_dump(),
        "chunking": settings.chunking.model_dump(),
        "retrieval": settings.retrieval.model_dump(),
        "answer": settings.answer.model_dump(),
    }
    blob = json.dumps(relevant, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


__all__ = ["Assistant"]
