"""Generic HTML loader (lxml.html): headings h1-h6 make sections, block elements make blocks.

Page furniture (script, style, nav, header, footer and similar) is dropped. The title comes from
<title>, else the first h1, else the file name.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from ingest.loaders.common import LoadError, clean_inline
from ingest.loaders.text import SectionBuilder, language_of, shorten, title_from_name
from ingest.model import Document, Language

_DROP = ("script", "style", "nav", "header", "footer", "noscript", "template", "svg", "iframe")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_NAMES = """p div section article main aside ul ol li dl dt dd table thead tbody tfoot tr
    td th blockquote pre figure figcaption caption address details summary form fieldset hr body
    h1 h2 h3 h4 h5 h6"""
_BLOCKS = frozenset(_BLOCK_NAMES.split())
_LANGS: dict[str, Language] = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _text(el: Any) -> str:
    """Text of an element with <br> as line breaks, cleaned per line."""
    raw = el.text_content() if _tag(el) else ""
    lines = [clean_inline(x) for x in raw.split("\n")]
    return "\n".join(x for x in lines if x)


def _inline_text(el: Any) -> str:
    return clean_inline(" ".join(el.text_content().split()))


def _parse(data: bytes) -> Any:
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise LoadError(f"malformed HTML: {exc}") from None
    if root is None:
        raise LoadError("malformed HTML: no document element")
    return root


def _drop_furniture(root: Any) -> None:
    for el in list(root.iter()):
        if _tag(el) in _DROP:
            el.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")


def _has_block_child(el: Any) -> bool:
    return any(_tag(d) in _BLOCKS for d in el.iterdescendants())


class _Walker:
    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.first_h1: str | None = None

    def walk(self, el: Any) -> None:
        tag = _tag(el)
        if tag in _HEADINGS:
            self._heading(_HEADINGS[tag], _inline_text(el))
        elif tag == "table":
            self.builder.add(_table_text(el))
        elif tag == "pre":
            self.builder.add(el.text_content().strip("\n"))
        elif not _has_block_child(el):
            self.builder.add(_text(el))
        else:
            self._loose(el.text)
            for child in el:
                if _tag(child):
                    self.walk(child)
                self._loose(child.tail)

    def _loose(self, text: str | None) -> None:
        if text and text.strip():
            self.builder.add(clean_inline(text))

    def _heading(self, level: int, text: str) -> None:
        if not text:
            return
        if level == 1 and self.first_h1 is None:
            self.first_h1 = text
        self.builder.heading(level, text)


def _table_text(table: Any) -> str:
    rows = []
    for tr in table.iter("tr"):
        cells = [_inline_text(c) for c in tr if _tag(c) in ("td", "th")]
        cells = [c for c in cells if c]
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _title(root: Any) -> str | None:
    for el in root.iter("title"):
        text = _inline_text(el)
        if text:
            return text
    return None


def _language(root: Any, body_text: str) -> Language:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    code = re.split(r"[-_]", lang.strip().lower())[0] if lang.strip() else ""
    return _LANGS.get(code) or language_of(body_text)


def load_html(data: bytes, source_id: str, name: str) -> Document:
    """A web page or XHTML file without a more specific loader."""
    root = _parse(data)
    title = _title(root)  # read before <head> furniture could be dropped
    _drop_furniture(root)
    body = root.find("body")
    if body is None:
        body = root
    builder = SectionBuilder()
    walker = _Walker(builder)
    walker.walk(body)
    sections = builder.sections()
    text = "\n".join(s.text for s in sections)
    return Document(
        source_id=source_id,
        title=shorten(title or walker.first_h1 or title_from_name(name), 200),
        sections=sections,
        language=_language(root, text),
        format="html",
    )


__all__ = ["load_html"]
