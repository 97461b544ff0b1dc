"""DOCX loader (python-docx): heading styles make sections, paragraphs and list items blocks.

Heading styles are "Heading 1".."Heading 6" and the Norwegian "Overskrift 1".."Overskrift 6";
the "Title"/"Tittel" style gives the document title when the core properties have none. Tables
become one block each, a row per line with the cells joined by " | ".
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from io import BytesIO
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.loaders.common import LoadError, clean_inline
from ingest.loaders.text import SectionBuilder, language_of, shorten, title_from_name
from ingest.model import Document, Language

_HEADING_STYLE = re.compile(r"^(?:heading|overskrift)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = {"title", "tittel"}
_LIST_STYLE = re.compile(r"\blist|\bliste", re.IGNORECASE)
_LANGS: dict[str, Language] = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}


def _open(data: bytes) -> Any:
    try:
        return docx.Document(BytesIO(data))
    except (zipfile.BadZipFile, KeyError) as exc:
        raise LoadError(f"corrupt DOCX: {exc}") from None
    except Exception as exc:  # python-docx raises several types for a damaged package
        raise LoadError(f"corrupt DOCX: {type(exc).__name__}: {exc}") from None


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return ""
    return (style.name or "") if style is not None else ""


def _is_list_item(paragraph: Paragraph, style: str) -> bool:
    if _LIST_STYLE.search(style):
        return True
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean_inline(" ".join(cell.text.split()))
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


class _Body:
    def __init__(self) -> None:
        self.builder = SectionBuilder()
        self.title_para: str | None = None
        self.first_heading: str | None = None

    def paragraph(self, paragraph: Paragraph) -> None:
        text = "\n".join(clean_inline(x) for x in paragraph.text.split("\n") if x.strip())
        if not text:
            return
        style = _style_name(paragraph)
        m = _HEADING_STYLE.match(style.strip())
        if m:
            self.first_heading = self.first_heading or text
            self.builder.heading(int(m.group(1)), text)
        elif style.strip().lower() in _TITLE_STYLES and self.title_para is None:
            self.title_para = text
        elif _is_list_item(paragraph, style):
            self.builder.add(f"• {text}")
        else:
            self.builder.add(text)

    def run(self, document: Any) -> None:
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                self.paragraph(item)
            elif isinstance(item, Table):
                self.builder.add(_table_text(item))


def _core_meta(props: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key in ("author", "subject", "keywords", "category", "created", "modified"):
        value = getattr(props, key, None)
        if isinstance(value, datetime):
            meta[key] = value.date().isoformat()
        elif value:
            meta[key] = clean_inline(str(value))
    return meta


def _language(props: Any, text: str) -> Language:
    code = re.split(r"[-_]", (props.language or "").strip().lower())[0]
    return _LANGS.get(code) or language_of(text)


def load_docx(data: bytes, source_id: str, name: str) -> Document:
    """A Word document: sections from heading styles, metadata from the core properties."""
    document = _open(data)
    body = _Body()
    try:
        body.run(document)
    except (KeyError, ValueError, AttributeError) as exc:
        raise LoadError(f"corrupt DOCX: {type(exc).__name__}: {exc}") from None
    props = document.core_properties
    sections = body.builder.sections()
    text = "\n".join(s.text for s in sections)
    title = clean_inline(props.title or "") or body.title_para or body.first_heading
    return Document(
        source_id=source_id,
        title=shorten(title or title_from_name(name), 200),
        sections=sections,
        language=_language(props, text),
        format="docx",
        meta=_core_meta(props),
    )


__all__ = ["load_docx"]
