"""Request and response bodies of the HTTP API (the records in assistant.records travel as they
are: `Answer`, `Passage`, `Citation`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.retrieval import Filters

QUESTION_EXAMPLE = "Kan vi nekte innsyn i et internt notat etter offentleglova § 14?"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(_Strict):
    """Restrict the sources an answer may use; empty or absent means no restriction."""

    doc_types: list[str] = Field(
        default_factory=list, max_length=20, examples=[["law", "regulation"]]
    )
    sources: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Source ids as listed by GET /v1/sources.",
        examples=[["lovdata-markdown/lover/lov-2006-05-19-16.md"]],
    )
    languages: list[Literal["nb", "nn", "en"]] = Field(default_factory=list, max_length=3)

    def to_filters(self) -> Filters:
        return Filters(
            doc_types=tuple(self.doc_types),
            sources=tuple(self.sources),
            languages=tuple(self.languages),
        )


class AskBase(_Strict):
    question: str  # its limits come from the settings: see ask_request_model
    mode: Literal["extractive", "llm"] | None = Field(
        default=None,
        description="'extractive' (verbatim quotes, offline) or 'llm'; default: the server's.",
    )
    filters: FiltersIn | None = None
    lang: Literal["nb", "nn", "en"] | None = Field(
        default=None, description="Answer language; default: the question's."
    )
    as_of: date | None = Field(
        default=None,
        description="The date the question is about (YYYY-MM-DD); default: today. What is in "
        "force on that date ranks first, and the answer warns about cited text that is not "
        "(not yet in force, repealed, replaced) and names the version that applies.",
        examples=["2026-01-01"],
    )


def ask_request_model(max_chars: int) -> type[AskBase]:
    """The ask body with the configured question length limit in its schema."""

    class AskRequest(AskBase):
        """A question, with optional answer mode, filters and answer language."""

        model_config = ConfigDict(
            extra="forbid",
            json_schema_extra={
                "examples": [
                    {"question": QUESTION_EXAMPLE},
                    {
                        "question": "Hvilke plikter har den som tar i bruk et høyrisiko KI-system?",
                        "mode": "extractive",
                        "filters": {"languages": ["en"]},
                        "lang": "nb",
                        "as_of": "2026-08-02",
                    },
                ]
            },
        )

        question: str = Field(
            min_length=1,
            max_length=max_chars,
            pattern=r"\S",
            description=f"The question, 1 to {max_chars} characters. Personal data in it is "
            "masked before it is used or logged.",
            examples=[QUESTION_EXAMPLE],
        )

    return AskRequest


class FeedbackIn(_Strict):
    answer_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The `id` of the Answer.",
        examples=["3f2b9c0e6a1d4d52b7a0c1e9f8d7a6b5"],
    )
    rating: Literal["up", "down"]
    comment: str | None = Field(
        default=None,
        max_length=2000,
        description="Free text; personal data in it is masked before it is stored.",
        examples=["Riktig paragraf, men svaret burde nevne klagefristen."],
    )


class FeedbackCreated(BaseModel):
    id: str


class SourceSummary(BaseModel):
    source_id: str = Field(examples=["lovdata-markdown/lover/lov-2006-05-19-16.md"])
    tenant: str = Field(default="", description="Empty: the national layer.")
    title: str = Field(examples=["Lov om rett til innsyn i dokument i offentleg verksemd"])
    short_title: str | None = Field(default=None, examples=["Offentleglova"])
    abbreviation: str | None = Field(default=None, examples=["offl"])
    doc_type: str = Field(examples=["law"])
    language: str = Field(examples=["nn"])
    status: str = Field(
        examples=["in_force"],
        description="Today: in_force, not_in_force (adopted, not yet in force), repealed, unknown.",
    )
    status_date: str | None = Field(default=None, description="When that status began or begins.")
    applicable_source_id: str | None = Field(
        default=None, description="Not in force or repealed: the indexed version that applies."
    )
    version: str | None = Field(
        default=None, description="The year, when two versions of one act are indexed."
    )
    url: str | None = None
    in_force_from: str | None = None
    sections: int = Field(description="Number of sections (§, article, annex, …).")
    chunks: int = Field(description="Number of indexed passages.")


class SourceDetail(SourceSummary):
    section_labels: list[str] = Field(
        description="The section labels in document order.", examples=[["§ 1", "§ 2", "§ 3"]]
    )


class ChunkText(BaseModel):
    chunk_id: str
    text: str


class SectionView(BaseModel):
    source: SourceSummary
    section: str = Field(examples=["§ 14"])
    heading_path: str = Field(examples=["Kapittel 3 > § 14 Organinterne dokument"])
    page_start: int | None = None
    page_end: int | None = None
    text: str = Field(description="The full text of the section (its passages, in order).")
    chunk_ids: list[str] = Field(description="The passages the text is made of, in order.")
    shared_with: list[str] = Field(
        default_factory=list,
        description="Tiny neighbouring sections indexed in the same passage (shown with it).",
    )
    chunk: ChunkText | None = Field(default=None, description="The passage asked for by ?chunk=.")


class IngestPath(_Strict):
    path: str = Field(
        min_length=1,
        max_length=4096,
        description="A file, folder or .tar.bz2 archive on the server.",
        examples=["/srv/regelrett/lokale-rutiner"],
    )
    doc_type: str | None = Field(default=None, max_length=40, examples=["template"])
    tenant: str | None = Field(default=None, max_length=100, examples=["hamar"])
    prune: bool | None = Field(
        default=None, description="Remove files gone from the folder; default: the server's."
    )


class IngestFailure(BaseModel):
    source_id: str
    reason: str | None = None


class IngestResult(BaseModel):
    added: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    skipped: int
    chunks_written: int
    chunks_embedded: int
    chunks_cached: int
    seconds: float
    failures: list[IngestFailure] = Field(default_factory=list)


class RemoveResult(BaseModel):
    source_id: str
    tenant: str
    chunks_removed: int
