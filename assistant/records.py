"""Typed records that carry provenance from retrieval to every surface."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """A retrieved chunk with its full provenance and how it was found."""

    chunk_id: str
    source_id: str
    tenant: str = ""
    title: str
    short_title: str | None = None
    abbreviation: str | None = None
    doc_type: str = "other"
    language: str = "nb"
    status: str = "unknown"
    section: str = Field(default="", description="Citation label: '§ 28', 'Article 5', '5.2.2'.")
    section_labels: list[str] = Field(default_factory=list)
    heading_path: str = ""
    header: str = ""
    page_start: int | None = None
    page_end: int | None = None
    url: str | None = None
    in_force_from: str | None = None
    text: str
    score: float = 0.0
    scores: dict[str, float] = Field(
        default_factory=dict, description="Per-retriever scores: reference, dense, lexical."
    )

    @classmethod
    def from_store(
        cls, chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0
    ) -> Passage:
        labels = [s for s in str(meta.get("section_labels", "")).split("|") if s]
        return cls(
            chunk_id=chunk_id,
            source_id=str(meta.get("source_id", "")),
            tenant=str(meta.get("tenant", "")),
            title=str(meta.get("title", "")),
            short_title=_opt(meta.get("short_title")),
            abbreviation=_opt(meta.get("abbreviation")),
            doc_type=str(meta.get("doc_type", "other")),
            language=str(meta.get("language", "nb")),
            status=str(meta.get("status", "unknown")),
            section=str(meta.get("section", "")),
            section_labels=labels or [str(meta.get("section", ""))],
            heading_path=str(meta.get("heading_path", "")),
            header=str(meta.get("header", "")),
            page_start=_opt_int(meta.get("page_start")),
            page_end=_opt_int(meta.get("page_end")),
            url=_opt(meta.get("url")),
            in_force_from=_opt(meta.get("in_force_from")),
            text=text,
            score=score,
        )

    @property
    def display_name(self) -> str:
        """'Offentleglova (offl)' or the title."""
        name = self.short_title or self.title
        if self.abbreviation and self.abbreviation.lower() not in name.lower():
            return f"{name} ({self.abbreviation})"
        return name


class Citation(BaseModel):
    """A numbered reference [n] in an answer, pointing at the exact passage it quotes."""

    n: int
    chunk_id: str
    source_id: str
    title: str
    abbreviation: str | None = None
    section: str = ""
    page: int | None = None
    url: str | None = None
    quote: str = ""
    verified: bool = False

    @classmethod
    def of(
        cls,
        n: int,
        passage: Passage,
        quote: str,
        section: str | None = None,
        verified: bool = False,
    ) -> Citation:
        """Citation [n] of a quote from a passage (`section` when the quote sits under one of
        several sections the passage holds)."""
        return cls(
            n=n,
            chunk_id=passage.chunk_id,
            source_id=passage.source_id,
            title=passage.title,
            abbreviation=passage.abbreviation,
            section=passage.section if section is None else section,
            page=passage.page_start,
            url=passage.url,
            quote=quote,
            verified=verified,
        )


class Answer(BaseModel):
    """What every surface receives from `answer()`."""

    id: str
    question: str = Field(description="The question as received, with personal data masked.")
    language: str = "nb"
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    sources: list[Passage] = Field(default_factory=list)
    refused: bool = False
    confidence: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    mode: str = "extractive"
    model: str | None = None
    config_hash: str = ""
    timings: dict[str, float] = Field(default_factory=dict)


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
