"""The data of the passage view: a source section as a person reads it, with the cited chunk
marked.

Read-only over the Assistant's chunk catalogue (`assistant.catalogue`): the section's chunks in
document order, their repeated overlap shown once, and which paragraphs belong to the cited
chunk so the page can highlight and anchor them.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI

from assistant.catalogue import Catalogue, SourceEntry
from assistant.retrieval.lexical import LexicalIndex

_lock = threading.Lock()


def catalogue(app: FastAPI) -> Catalogue | None:
    """The catalogue of the index the Assistant answers from, or None before it is open."""
    services = getattr(app.state, "services", None)
    assistant = getattr(services, "assistant", None) or getattr(app.state, "assistant", None)
    if assistant is None:
        return None
    index = assistant.retriever.index()
    with _lock:
        cached: Catalogue | None = getattr(app.state, "web_catalogue", None)
        if cached is None or cached.index is not index:
            cached = Catalogue(index)
            app.state.web_catalogue = cached
        return cached


def current_status(app: FastAPI, source: SourceEntry) -> SourceEntry:
    """The source with its status today (in force, not yet in force, repealed or replaced),
    not the one it had when it was ingested."""
    services = getattr(app.state, "services", None)
    assistant = getattr(services, "assistant", None) or getattr(app.state, "assistant", None)
    if assistant is None:
        return source
    key = (source.tenant, source.source_id)
    tenants = frozenset({"", source.tenant})
    validity = assistant.retriever.currency().doc_validity(key, date.today(), tenants)
    return replace(source, status=validity.state)


@dataclass
class Paragraph:
    text: str
    chunks: set[str] = field(default_factory=set)


@dataclass
class SectionView:
    """One section of one source, ready to render."""

    source: SourceEntry
    label: str
    heading_path: str
    paragraphs: list[Paragraph]
    chunk: str | None  # the cited chunk, when it is part of this section
    page_start: int | None = None
    page_end: int | None = None
    grant: str | None = None  # a chunk of a tenant's source: links within it carry it along

    def neighbour(self, step: int) -> str | None:
        labels = self.source.labels
        if self.label not in labels:
            return None
        i = labels.index(self.label) + step
        return labels[i] if 0 <= i < len(labels) else None


def display_name(source: SourceEntry) -> str:
    """'Offentleglova (offl)' or the title."""
    name = source.short_title or source.title or source.source_id
    if source.abbreviation and source.abbreviation.lower() not in name.lower():
        return f"{name} ({source.abbreviation})"
    return name


def open_source(
    cat: Catalogue,
    source_id: str,
    chunk: str | None,
    public: Collection[str],
    grant: str | None = None,
) -> tuple[SourceEntry | None, int | None, str | None]:
    """(source, position of the cited chunk, grant) for the passage view.

    The page is opened from a link and carries no key. The `public` tenants' sources (the
    national layer) open for anyone; a tenant's source opens only with the id of one of its
    chunks (`chunk`, the cited one, or `grant`, carried along by the page's own links), which
    only an answer to that tenant contains: a chunk id is a hash of the chunk's content, so it
    cannot be guessed. Without it, another tenant's source is not found."""
    index = cat.index

    def own(chunk_id: str | None) -> int | None:
        i = index.position.get(chunk_id) if chunk_id else None
        return i if i is not None and index.metas[i].get("source_id") == source_id else None

    cited = own(chunk)
    proof = cited if cited is not None else own(grant)
    if proof is not None:
        tenant = str(index.metas[proof].get("tenant", ""))
        granted = index.ids[proof] if tenant not in public else None
        return cat.source(source_id, tenant), cited, granted
    return cat.source(source_id, None, public), None, None


def find_section(
    cat: Catalogue,
    source_id: str,
    label: str | None,
    chunk: str | None,
    public: Collection[str] = ("",),
    grant: str | None = None,
) -> SectionView | None:
    """Section `label` of a source (or the cited chunk's own section), or None when absent
    or not to be shown (`open_source`)."""
    index = cat.index
    source, cited, grant = open_source(cat, source_id, chunk, public, grant)
    if source is None:
        return None
    label = label or (str(index.metas[cited].get("section", "")) if cited is not None else "")
    section = cat.section(source, label) if label else None
    if section is not None:
        ids = set(section.chunk_ids)
        positions = [i for i in source.positions if index.ids[i] in ids]
        heading, pages = section.heading_path, (section.page_start, section.page_end)
    elif cited is not None:
        # a label the catalogue does not know (renamed since?): the cited chunk on its own
        positions = [cited]
        meta = index.metas[cited]
        heading, pages = str(meta.get("heading_path", "")), _pages(meta)
    else:
        return None
    chunk_id = index.ids[cited] if cited is not None and cited in positions else None
    return SectionView(
        source, label, heading, _merge(index, positions), chunk_id, *pages, grant=grant
    )


def _merge(index: LexicalIndex, positions: list[int]) -> list[Paragraph]:
    """The chunks' paragraphs in order. Chunks of one long section repeat whole pieces of the
    previous chunk as overlap: those appear once, owned by both chunks."""
    out: list[Paragraph] = []
    for i in positions:
        chunk_id = index.ids[i]
        parts = [p.strip("\n") for p in index.texts[i].split("\n\n") if p.strip()]
        k = _overlap([p.text for p in out], parts)
        for p in out[len(out) - k :]:
            p.chunks.add(chunk_id)
        out.extend(Paragraph(text, {chunk_id}) for text in parts[k:])
    return out


def _overlap(before: list[str], after: list[str]) -> int:
    for k in range(min(len(before), len(after)), 0, -1):
        if before[-k:] == after[:k]:
            return k
    return 0


def _pages(meta: dict[str, object]) -> tuple[int | None, int | None]:
    def num(value: object) -> int | None:
        return value if isinstance(value, int) else None

    return num(meta.get("page_start")), num(meta.get("page_end"))


def view_url(
    source_id: str, label: str | None = None, lang: str = "nb", grant: str | None = None
) -> str:
    query = {"source": source_id, "lang": lang}
    if label:
        query["section"] = label
    if grant:
        query["grant"] = grant
    return "/sources/view?" + urlencode(query)


def safe_link(url: object) -> str | None:
    """An http(s) URL from a source's metadata, or None (no javascript: or data: links)."""
    value = str(url or "")
    return value if urlsplit(value).scheme in {"http", "https"} else None
