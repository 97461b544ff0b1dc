"""Section-aware chunking.

Rules:
- A chunk never spans two sections (§, article, recital, annex), except that neighbouring
  sections that are both tiny (under `min_chars`) and under the same parent share a chunk.
- A long section is split at block (ledd / numbered paragraph) boundaries; a block longer than a
  chunk is split at sentence boundaries. Consecutive chunks of one section overlap by whole
  trailing blocks (or trailing sentences) up to `overlap_chars`.
- Every chunk carries the document's provenance, its section label(s), heading path, pages and
  a content hash; the text that is embedded starts with a short header (short title,
  abbreviation, section label, heading) so that a query like "offl. § 28" finds it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.loaders.common import guess_language
from ingest.model import Block, Chunk, Document, Section


@dataclass(frozen=True)
class ChunkParams:
    max_chars: int = 1200
    overlap_chars: int = 150
    min_chars: int = 200

    def as_dict(self) -> dict[str, int]:
        return {
            "max_chars": self.max_chars,
            "overlap_chars": self.overlap_chars,
            "min_chars": self.min_chars,
            "version": CHUNKER_VERSION,
        }


# Bump when the chunking rules or the chunk metadata change, so that existing documents are
# re-chunked (3: each chunk records its section kind; 4: no chunk of a stray fragment).
CHUNKER_VERSION = 4
# A piece shorter than this ("1.", "nr.", the tail of a cut sentence) never stands alone in a
# chunk: embedded with its section's header line it matched many questions and said nothing.
TINY_PIECE_CHARS = 40

_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[\"«(\[]?[A-ZÆØÅ0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; keeps the text verbatim (only the splitting spaces go)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


@dataclass
class _Piece:
    text: str
    page: int | None
    last_page: int | None = None  # when glued pieces end on a later page


def _block_pieces(block: Block, max_chars: int) -> list[_Piece]:
    """A block as one piece, or split at sentences (then hard) when longer than max_chars."""
    if len(block.text) <= max_chars:
        return [_Piece(block.text, block.page)]
    pieces: list[_Piece] = []
    current = ""
    for sentence in split_sentences(block.text):
        while len(sentence) > max_chars:  # a sentence longer than a chunk: cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            if current:
                pieces.append(_Piece(current, block.page))
                current = ""
            pieces.append(_Piece(sentence[:cut].strip(), block.page))
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(_Piece(current, block.page))
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(_Piece(current, block.page))
    return pieces


def _overlap(window: list[_Piece], overlap_chars: int) -> list[_Piece]:
    """Trailing whole pieces of a chunk, at most overlap_chars long, to start the next one."""
    carried: list[_Piece] = []
    size = 0
    for piece in reversed(window):
        if size + len(piece.text) > overlap_chars:
            break
        carried.insert(0, piece)
        size += len(piece.text) + 2
    if not carried and window and overlap_chars > 0:
        tail = split_sentences(window[-1].text)[-1:]
        if tail and len(tail[0]) <= overlap_chars:
            carried = [_Piece(tail[0], window[-1].page)]
    return carried


def _glue_tiny(pieces: list[_Piece]) -> list[_Piece]:
    """Each tiny piece joined to the piece after it (the last one to the piece before)."""
    out: list[_Piece] = []
    pending: _Piece | None = None
    for piece in pieces:
        if pending is not None:
            piece = _join(pending, piece)
            pending = None
        if len(piece.text) < TINY_PIECE_CHARS:
            pending = piece
        else:
            out.append(piece)
    if pending is not None:
        if out:
            out[-1] = _join(out[-1], pending)
        else:
            out.append(pending)
    return out


def _join(first: _Piece, second: _Piece) -> _Piece:
    pages = [p for x in (first, second) for p in (x.page, x.last_page) if p is not None]
    return _Piece(
        f"{first.text}\n\n{second.text}",
        min(pages) if pages else None,
        max(pages) if pages else None,
    )


def split_section(section: Section, params: ChunkParams) -> list[list[_Piece]]:
    """The section's text as windows of pieces, each window at most max_chars long."""
    pieces = _glue_tiny(
        [p for b in section.blocks if b.text.strip() for p in _block_pieces(b, params.max_chars)]
    )
    windows: list[list[_Piece]] = []
    window: list[_Piece] = []
    size = 0
    fresh = 0  # pieces in the window that are not overlap from the previous window
    for piece in pieces:
        extra = len(piece.text) + (2 if window else 0)
        if window and fresh and size + extra > params.max_chars:
            windows.append(window)
            window = _overlap(window, params.overlap_chars)
            size = sum(len(p.text) + 2 for p in window)
            fresh = 0
            while window and size + len(piece.text) > params.max_chars:
                size -= len(window.pop(0).text) + 2
        window.append(piece)
        size += len(piece.text) + (2 if len(window) > 1 else 0)
        fresh += 1
    if window and fresh:
        windows.append(window)
    return windows


def _parent(section: Section) -> tuple[str, ...]:
    return tuple(section.path[:-1])


def _group_sections(doc: Document, params: ChunkParams) -> list[list[Section]]:
    """Sections in order; consecutive tiny sections under one parent grouped together."""
    groups: list[list[Section]] = []
    for section in doc.sections:
        if not section.text.strip():
            continue
        last = groups[-1] if groups else None
        if (
            last is not None
            and len(section.text) < params.min_chars
            and all(len(s.text) < params.min_chars for s in last)
            and _parent(last[-1]) == _parent(section)
            and last[-1].kind == section.kind
            and sum(len(s.text) for s in last) + len(section.text) <= params.max_chars
        ):
            last.append(section)
        else:
            groups.append([section])
    return groups


def chunk_header(doc: Document, label: str, heading: str) -> str:
    """The line that precedes a chunk's text when it is embedded and lexically indexed."""
    name = doc.short_title or doc.title
    parts = [name]
    if doc.abbreviation and doc.abbreviation.lower() not in name.lower():
        parts.append(f"({doc.abbreviation})")
    if label and label != heading:
        parts.append(label)
    if heading:
        parts.append(heading)
    return " ".join(p for p in parts if p).strip()


def chunk_language(doc_language: str, body: str) -> str:
    """The chunk's own language when it clearly differs from the document's (an English
    convention text inside a Norwegian law, a Norwegian summary in an English guide)."""
    if len(body) < 300:
        return doc_language
    guessed = guess_language(body, default=doc_language)
    if (guessed == "en") != (doc_language == "en"):
        return guessed
    return doc_language


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _make_chunk(
    doc: Document, tenant: str, sections: list[Section], body: str, pages: list[int], ordinal: int
) -> Chunk:
    first = sections[0]
    labels = [s.label for s in sections if s.label]
    heading = first.heading if len(sections) == 1 else ""
    label = first.label if len(sections) == 1 else ", ".join(labels)
    embed_text = f"{chunk_header(doc, label, heading)}\n{body}"
    language = chunk_language(doc.language, body)
    digest = content_hash(embed_text)
    chunk_id = hashlib.sha1(
        f"{tenant}\x00{doc.source_id}\x00{ordinal}\x00{digest}".encode()
    ).hexdigest()
    return Chunk(
        chunk_id=chunk_id,
        source_id=doc.source_id,
        tenant=tenant,
        text=body,
        embed_text=embed_text,
        section_label=first.label,
        section_labels=labels or [first.label],
        heading_path=first.heading_path,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        content_hash=digest,
        ordinal=ordinal,
        doc=doc,
        language=language,
        kind=first.kind,
    )


def chunk_document(doc: Document, params: ChunkParams, tenant: str = "") -> list[Chunk]:
    """All chunks of a document, in document order."""
    chunks: list[Chunk] = []
    for group in _group_sections(doc, params):
        if len(group) > 1:
            body = "\n\n".join(f"{s.label} {s.heading}".strip() + "\n" + s.text for s in group)
            pages = [p for s in group for p in (s.page_start, s.page_end) if p is not None]
            chunks.append(_make_chunk(doc, tenant, group, body, pages, len(chunks)))
            continue
        for window in split_section(group[0], params):
            body = "\n\n".join(p.text for p in window)
            pages = [q for p in window for q in (p.page, p.last_page) if q is not None]
            chunks.append(_make_chunk(doc, tenant, group, body, pages, len(chunks)))
    return chunks
