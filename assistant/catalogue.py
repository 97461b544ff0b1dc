"""What is indexed, read from the lexical index's chunk catalogue: sources, their sections in
document order, and a section's full text — so a legal adviser can check a citation in context.

Read-only; built from one `LexicalIndex` (which always describes exactly what the store holds).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from assistant.records import meta_int
from assistant.retrieval.lexical import LexicalIndex


@dataclass
class SourceEntry:
    source_id: str
    tenant: str
    title: str
    short_title: str | None
    abbreviation: str | None
    doc_type: str
    language: str
    status: str
    url: str | None
    in_force_from: str | None
    positions: list[int] = field(default_factory=list)  # its chunks, in document order
    labels: list[str] = field(default_factory=list)  # its sections, in document order

    def summary(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "tenant": self.tenant,
            "title": self.title,
            "short_title": self.short_title,
            "abbreviation": self.abbreviation,
            "doc_type": self.doc_type,
            "language": self.language,
            "status": self.status,
            "url": self.url,
            "in_force_from": self.in_force_from,
            "sections": len(self.labels),
            "chunks": len(self.positions),
        }


@dataclass
class SectionText:
    source: SourceEntry
    label: str
    heading_path: str
    page_start: int | None
    page_end: int | None
    text: str
    chunk_ids: list[str]
    shared_with: list[str]  # tiny neighbouring sections stored in the same chunk


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _labels(meta: dict[str, Any]) -> list[str]:
    return [s for s in str(meta.get("section_labels") or meta.get("section", "")).split("|") if s]


def join_overlapping(parts: list[str]) -> str:
    """Chunks of one long section, joined with the overlap between neighbours removed.

    Consecutive chunks repeat whole trailing paragraphs (or a sentence) of the previous one; the
    longest such prefix of a chunk that ends the text so far is dropped."""
    out = ""
    for part in parts:
        if not out:
            out = part
            continue
        # the carried text is whole pieces, and the next piece always follows after "\n\n"
        cut = len(part) if out.endswith(part) else 0
        if not cut:
            for i in reversed([m.start() for m in re.finditer("\n\n", part)]):
                if i > 0 and out.endswith(part[:i]):
                    cut = i
                    break
        rest = part[cut:].lstrip()
        if rest:
            out = f"{out}\n\n{rest}"
    return out


class Catalogue:
    """Sources and sections of one index generation."""

    def __init__(self, index: LexicalIndex) -> None:
        self.generation = index.generation
        self.index = index
        self.sources: dict[tuple[str, str], SourceEntry] = {}
        positions: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, meta in enumerate(index.metas):
            positions[(str(meta.get("tenant", "")), str(meta.get("source_id", "")))].append(i)
        for key, where in positions.items():
            where.sort(key=lambda i: meta_int(index.metas[i].get("ordinal")) or 0)
            first = index.metas[where[0]]
            labels: dict[str, None] = {}
            for i in where:
                labels.update(dict.fromkeys(_labels(index.metas[i])))
            self.sources[key] = SourceEntry(
                source_id=key[1],
                tenant=key[0],
                title=str(first.get("title", "")),
                short_title=_opt(first.get("short_title")),
                abbreviation=_opt(first.get("abbreviation")),
                doc_type=str(first.get("doc_type", "other")),
                language=str(first.get("language", "nb")),
                status=str(first.get("status", "unknown")),
                url=_opt(first.get("url")),
                in_force_from=_opt(first.get("in_force_from")),
                positions=where,
                labels=list(labels),
            )

    def list(self, visible: Collection[str] | None = None) -> list[SourceEntry]:
        """The sources, of the `visible` tenants only when given."""
        shown = [s for s in self.sources.values() if visible is None or s.tenant in visible]
        return sorted(shown, key=lambda s: (s.tenant, s.source_id))

    def source(
        self, source_id: str, tenant: str | None = None, visible: Collection[str] | None = None
    ) -> SourceEntry | None:
        """The source with this id; without a tenant, the national one first. With `visible`,
        another tenant's source is not found (as if it did not exist)."""
        if tenant is not None:
            if visible is not None and tenant not in visible:
                return None
            return self.sources.get((tenant, source_id))
        found = [
            s
            for (t, sid), s in self.sources.items()
            if sid == source_id and (visible is None or t in visible)
        ]
        found.sort(key=lambda s: (s.tenant != "", s.tenant))
        return found[0] if found else None

    def section(self, entry: SourceEntry, label: str) -> SectionText | None:
        """The section's chunks in order, their text joined without the repeated overlap."""
        where = [i for i in entry.positions if label in _labels(self.index.metas[i])]
        if not where:
            return None
        metas = [self.index.metas[i] for i in where]
        starts = [p for m in metas if (p := meta_int(m.get("page_start"))) is not None]
        ends = [p for m in metas if (p := meta_int(m.get("page_end"))) is not None]
        shared = [lab for m in metas for lab in _labels(m) if lab != label]
        return SectionText(
            source=entry,
            label=label,
            heading_path=str(metas[0].get("heading_path", "")),
            page_start=min(starts) if starts else None,
            page_end=max(ends) if ends else None,
            text=join_overlapping([self.index.texts[i] for i in where]),
            chunk_ids=[self.index.ids[i] for i in where],
            shared_with=list(dict.fromkeys(shared)),
        )

    def chunk_text(self, chunk_id: str) -> str | None:
        i = self.index.position.get(chunk_id)
        return None if i is None else self.index.texts[i]
