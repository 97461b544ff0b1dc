"""Typed records that carry provenance from retrieval to every surface."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# Authority order: law > regulation > EU regulation > circular > guidance > template (then
# standards and everything else). A tie-breaker in ranking, and shown with every citation.
AUTHORITY_ORDER = (
    "law",
    "regulation",
    "eu_regulation",
    "circular",
    "guidance",
    "template",
    "standard",
    "other",
)
AUTHORITY_LABELS = {
    "nb": {
        "law": "lov",
        "regulation": "forskrift",
        "eu_regulation": "EU-forordning",
        "circular": "rundskriv",
        "guidance": "veileder",
        "template": "mal",
        "standard": "standard",
        "other": "annet",
    },
    "nn": {
        "law": "lov",
        "regulation": "forskrift",
        "eu_regulation": "EU-forordning",
        "circular": "rundskriv",
        "guidance": "rettleiar",
        "template": "mal",
        "standard": "standard",
        "other": "anna",
    },
    "en": {
        "law": "Act",
        "regulation": "regulation",
        "eu_regulation": "EU regulation",
        "circular": "circular",
        "guidance": "guidance",
        "template": "template",
        "standard": "standard",
        "other": "other",
    },
}


def authority_rank(doc_type: str) -> int:
    """1 for a law, 2 for a regulation, … 8 for anything else."""
    return AUTHORITY_ORDER.index(doc_type) + 1 if doc_type in AUTHORITY_ORDER else 8


def authority_label(doc_type: str, lang: str = "nb") -> str:
    labels = AUTHORITY_LABELS.get(lang, AUTHORITY_LABELS["nb"])
    return labels.get(doc_type, labels["other"])


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
    authority: str = Field(
        default="annet", description="The kind of source, for the reader: lov, forskrift, …"
    )
    authority_rank: int = Field(
        default=8,
        description="1 law, 2 regulation, 3 EU regulation, 4 circular, 5 guidance, "
        "6 template, 7 standard, 8 other.",
    )
    version: str | None = Field(
        default=None,
        description="The year that tells two indexed versions of one act apart ('1992').",
    )
    status_date: str | None = Field(
        default=None,
        description="When `status` began or begins: in force from, applies from, repealed from.",
    )
    applicable_source_id: str | None = Field(
        default=None,
        description="When this text does not apply on the answer's date: the indexed version "
        "that does (or that replaced it).",
    )
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
        doc_type = str(meta.get("doc_type", "other"))
        return cls(
            chunk_id=chunk_id,
            source_id=str(meta.get("source_id", "")),
            tenant=str(meta.get("tenant", "")),
            title=str(meta.get("title", "")),
            short_title=_opt(meta.get("short_title")),
            abbreviation=_opt(meta.get("abbreviation")),
            doc_type=doc_type,
            language=str(meta.get("language", "nb")),
            status=str(meta.get("status", "unknown")),
            authority=authority_label(doc_type),
            authority_rank=authority_rank(doc_type),
            section=str(meta.get("section", "")),
            section_labels=labels or [str(meta.get("section", ""))],
            heading_path=str(meta.get("heading_path", "")),
            header=str(meta.get("header", "")),
            page_start=meta_int(meta.get("page_start")),
            page_end=meta_int(meta.get("page_end")),
            url=_opt(meta.get("url")),
            in_force_from=_opt(meta.get("in_force_from")),
            text=text,
            score=score,
        )

    @property
    def display_name(self) -> str:
        """'Offentleglova (offl)' or the title; with the year when two versions of the act are
        indexed: 'Arkivlova (arkl, 1992)', 'Arkivlova (2025)'."""
        return display_name(self.short_title or self.title, self.abbreviation, self.version)


def display_name(name: str, abbreviation: str | None, version: str | None = None) -> str:
    extra = []
    if abbreviation and abbreviation.lower() not in name.lower():
        extra.append(abbreviation)
    if version and version not in name:
        extra.append(version)
    return f"{name} ({', '.join(extra)})" if extra else name


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
    authority: str = Field(default="annet", description="lov, forskrift, EU-forordning, …")
    authority_rank: int = 8
    version: str | None = None

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
            authority=passage.authority,
            authority_rank=passage.authority_rank,
            version=passage.version,
        )


class CurrencyNote(BaseModel):
    """Which version applies: a cited (or asked-about) text that is not in force on the
    answer's date, repealed, or applies from a date, with the version that applies instead."""

    kind: str = Field(
        description="not_in_force, section_not_in_force, repealed, eu_not_yet, eu_applies, "
        "in_force_since"
    )
    source_id: str
    section: str = ""
    name: str = Field(description="The source's display name.")
    applies: bool = Field(description="Does the text apply on the answer's date?")
    date: str | None = Field(default=None, description="In force / applies / repealed from.")
    applicable_source_id: str | None = None
    applicable_name: str | None = None
    applicable_section: str | None = None
    text: str = Field(description="The note as shown (also in Answer.warnings).")


class VerifiedAnswer(BaseModel):
    """An answer a legal adviser reviewed and approved for this (or a near-identical) question:
    shown before the generated answer, labelled "Kvalitetssikret svar"."""

    id: str
    label: str = "Kvalitetssikret svar"
    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    reviewer: str
    reviewed: str = Field(description="The date of the review (ISO).")


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
    currency: list[CurrencyNote] = Field(
        default_factory=list, description="The warnings about versions and dates, structured."
    )
    as_of: str | None = Field(
        default=None, description="The date the answer is for (ISO); which rules apply then."
    )
    mode: str = "extractive"
    model: str | None = None
    config_hash: str = ""
    timings: dict[str, float] = Field(default_factory=dict)
    request_id: str | None = Field(
        default=None, description="The request that asked (X-Request-ID), as in the logs."
    )
    verified: VerifiedAnswer | None = Field(
        default=None,
        description="A reviewed answer to the same or a near-identical question, to show first.",
    )


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def meta_int(value: Any) -> int | None:
    """A whole number from chunk metadata (a page, an ordinal), or None if absent or not one."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
