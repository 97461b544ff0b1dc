"""The structured document every loader produces, and the chunk the chunker makes of it.

A loader never embeds or stores anything: it turns one file into a `Document` whose ordered
`sections` carry a citation label ("§ 28", "Article 5", "Annex III", "Recital 12"), the heading
path down to that section, and the text as `Block`s (paragraphs, or "ledd" in a Norwegian law)
with the page each block stands on when the format has pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

DocType = Literal[
    "law", "regulation", "eu_regulation", "circular", "guidance", "template", "standard", "other"
]
DOC_TYPES: tuple[str, ...] = (
    "law",
    "regulation",
    "eu_regulation",
    "circular",
    "guidance",
    "template",
    "standard",
    "other",
)
Status = Literal["in_force", "not_in_force", "repealed", "unknown"]
Language = Literal["nb", "nn", "en"]
Jurisdiction = Literal["NO", "EU"]


@dataclass
class Block:
    """One paragraph (ledd, numbered paragraph, list) of a section."""

    text: str
    page: int | None = None  # 1-based physical page index (as pypdf counts), PDFs only
    page_label: str | None = None  # the printed page number on that page, when it differs


@dataclass
class Section:
    """A citable unit: a § , an article, a recital, an annex, or a numbered PDF heading.

    `label` is what a citation shows ("§ 28", "Artikkel 35", "Article 5", "Annex III", "5.2.2");
    `heading` is its title text without the label; `path` is the chain of labels and titles from
    the top of the document down to and including this section, e.g. ["Kapittel 9", "§ 28"].
    """

    label: str
    heading: str = ""
    path: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    kind: str = "section"  # section | article | recital | annex | chapter | preamble | page | part

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text)

    @property
    def page_start(self) -> int | None:
        pages = [b.page for b in self.blocks if b.page is not None]
        return min(pages) if pages else None

    @property
    def page_end(self) -> int | None:
        pages = [b.page for b in self.blocks if b.page is not None]
        return max(pages) if pages else None

    @property
    def heading_path(self) -> str:
        return " > ".join(p for p in self.path if p)


@dataclass
class Document:
    """One source document with its metadata and ordered sections."""

    source_id: str
    title: str
    sections: list[Section]
    doc_type: DocType = "other"
    language: Language = "nb"
    jurisdiction: Jurisdiction | None = None
    short_title: str | None = None
    abbreviation: str | None = None
    adopted: date | None = None
    in_force_from: date | None = None
    last_amended: date | None = None
    status: Status = "unknown"
    url: str | None = None
    ref_id: str | None = None  # e.g. "lov/2006-05-19-16", "32024R1689"
    repealed_from: date | None = None  # repealed or replaced from this date
    replaces: list[str] = field(default_factory=list)  # ref_ids, ids or titles it replaces
    format: str = ""  # loader that produced it: "lovdata-md", "eurlex-xhtml", "pdf", ...
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.sections if s.label]

    def section(self, label: str) -> Section | None:
        for s in self.sections:
            if s.label == label:
                return s
        return None


@dataclass
class Chunk:
    """What goes into the index: a piece of one or more small sections with full provenance."""

    chunk_id: str
    source_id: str
    tenant: str
    text: str  # the body text shown and quoted
    embed_text: str  # header + body, what is embedded and lexically indexed
    section_label: str
    section_labels: list[str]  # more than one when tiny neighbouring sections share a chunk
    heading_path: str
    page_start: int | None
    page_end: int | None
    content_hash: str
    ordinal: int
    doc: Document
    language: str = ""  # the chunk's language; empty means the document's
    kind: str = "section"  # the first section's kind: section, article, recital, preamble, ...

    def metadata(self) -> dict[str, str | int | float | bool]:
        """Flat metadata for the vector store (no None values)."""
        d = self.doc
        meta: dict[str, str | int | float | bool] = {
            "source_id": self.source_id,
            "tenant": self.tenant,
            "title": d.title,
            "doc_type": d.doc_type,
            "language": self.language or d.language,
            "status": d.status,
            "section": self.section_label,
            "section_labels": "|".join(self.section_labels),
            "header": self.embed_text.split("\n", 1)[0],
            "heading_path": self.heading_path,
            "content_hash": self.content_hash,
            "ordinal": self.ordinal,
            "format": d.format,
            "kind": self.kind,
        }
        optional: dict[str, str | int | None] = {
            "short_title": d.short_title,
            "abbreviation": d.abbreviation,
            "jurisdiction": d.jurisdiction,
            "url": d.url,
            "ref_id": d.ref_id,
            "adopted": d.adopted.isoformat() if d.adopted else None,
            "in_force_from": d.in_force_from.isoformat() if d.in_force_from else None,
            "last_amended": d.last_amended.isoformat() if d.last_amended else None,
            "repealed_from": d.repealed_from.isoformat() if d.repealed_from else None,
            "replaces": "|".join(d.replaces) or None,
            "page_start": self.page_start,
            "page_end": self.page_end,
        }
        meta.update({k: v for k, v in optional.items() if v is not None})
        return meta
