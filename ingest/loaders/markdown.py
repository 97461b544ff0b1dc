"""Markdown loader: optional YAML front matter for metadata, headings for sections.

Front matter keys (Norwegian aliases in brackets): title (tittel), short_title (korttittel),
abbreviation (forkortelse), doc_type (type), language (språk), jurisdiction, status, adopted,
in_force_from, last_amended, url, ref_id (refid), repealed_from (opphevet_fra) and replaces
(erstatter: the ids, ref_ids or titles of the documents this one replaces). Other keys are kept
in `Document.meta` as strings.

A file without any # heading (text saved as .md) is read like plain text, so an outline such as
"III." / "B." / "a)" still gives sections labelled "III.B.a".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import yaml

from ingest.loaders.common import LoadError, clean_inline, parse_iso_date
from ingest.loaders.text import (
    SectionBuilder,
    build_plain,
    decode_bytes,
    language_of,
    shorten,
    split_lines,
    title_from_name,
)
from ingest.model import DOC_TYPES, DocType, Document, Jurisdiction, Language, Status

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")

_KEY_ALIASES = {
    "tittel": "title",
    "korttittel": "short_title",
    "forkortelse": "abbreviation",
    "type": "doc_type",
    "språk": "language",
    "sprak": "language",
    "refid": "ref_id",
    "opphevet_fra": "repealed_from",
    "erstatter": "replaces",
}
_DOC_TYPE_ALIASES = {
    "lov": "law",
    "forskrift": "regulation",
    "rundskriv": "circular",
    "veileder": "guidance",
    "veiledning": "guidance",
    "mal": "template",
    "annet": "other",
}
_LANGUAGE_ALIASES = {
    "no": "nb",
    "nob": "nb",
    "bokmål": "nb",
    "nno": "nn",
    "nynorsk": "nn",
    "eng": "en",
    "english": "en",
    "engelsk": "en",
}
_STATUS_VALUES = ("in_force", "not_in_force", "repealed", "unknown")
_STATUS_ALIASES = {"i kraft": "in_force", "ikke i kraft": "not_in_force", "opphevet": "repealed"}
_DATE_KEYS = ("adopted", "in_force_from", "last_amended", "repealed_from")
_TEXT_KEYS = ("title", "short_title", "abbreviation", "url", "ref_id")


@dataclass
class FrontMatter:
    """Validated front matter values."""

    title: str | None = None
    short_title: str | None = None
    abbreviation: str | None = None
    doc_type: DocType | None = None
    language: Language | None = None
    jurisdiction: Jurisdiction | None = None
    status: Status | None = None
    url: str | None = None
    ref_id: str | None = None
    replaces: list[str] = field(default_factory=list)
    dates: dict[str, date] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Front matter
# --------------------------------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The parsed YAML front matter (or {}) and the body after it."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadError(f"invalid YAML front matter: {first}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LoadError("invalid YAML front matter: expected key: value pairs")
    return {str(k): v for k, v in data.items()}, text[m.end() :]


def _as_text(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_as_text(v) for v in value)
    return clean_inline(str(value))


def _choice(key: str, value: object, allowed: tuple[str, ...], aliases: dict[str, str]) -> str:
    raw = clean_inline(str(value))
    low = raw.lower()
    picked = aliases.get(low, low)
    if picked not in allowed:
        raise LoadError(
            f"invalid {key} in front matter: {raw!r} (expected one of {', '.join(allowed)})"
        )
    return picked


def _date_value(key: str, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    parsed = parse_iso_date(value if isinstance(value, date) else str(value))
    if parsed is None:
        raise LoadError(f"invalid {key} in front matter: {value!r} (expected YYYY-MM-DD)")
    return parsed


def _apply(fm: FrontMatter, key: str, value: object) -> None:
    if value is False and key in ("jurisdiction", "language"):
        value = "no"  # YAML 1.1 reads a bare NO as false
    if key in _TEXT_KEYS:
        setattr(fm, key, _as_text(value) or None)
    elif key == "doc_type":
        fm.doc_type = cast(DocType, _choice(key, value, DOC_TYPES, _DOC_TYPE_ALIASES))
    elif key == "language":
        fm.language = cast(Language, _choice(key, value, ("nb", "nn", "en"), _LANGUAGE_ALIASES))
    elif key == "status":
        fm.status = cast(Status, _choice(key, value, _STATUS_VALUES, _STATUS_ALIASES))
    elif key == "jurisdiction":
        allowed = ("no", "eu")
        fm.jurisdiction = cast(Jurisdiction, _choice(key, value, allowed, {}).upper())
    elif key in _DATE_KEYS:
        fm.dates[key] = _date_value(key, value)
    elif key == "replaces":
        values = value if isinstance(value, list) else [value]
        fm.replaces = [_as_text(v) for v in values if _as_text(v)]
    else:
        fm.meta[key] = _as_text(value)


def read_front_matter(data: dict[str, Any]) -> FrontMatter:
    """Validate front matter; raises LoadError naming the key for a bad value."""
    fm = FrontMatter()
    for raw_key, value in data.items():
        if value is None or value == "":
            continue
        key = raw_key.strip().lower().replace("-", "_")
        _apply(fm, _KEY_ALIASES.get(key, key), value)
    return fm


# --------------------------------------------------------------------------------------------
# Body
# --------------------------------------------------------------------------------------------


def clean_markdown_inline(text: str) -> str:
    """Drop inline Markdown (links, images, emphasis, code ticks), keep the words."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)
    return clean_inline(text)


def _has_headings(lines: list[str]) -> bool:
    in_code = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code and (_ATX.match(line) or _is_setext(lines, i)):
            return True
    return False


def _is_setext(lines: list[str], i: int) -> bool:
    """Line i is text underlined by the next line's === (or ---, after a one-line paragraph)."""
    if i + 1 >= len(lines) or not lines[i].strip() or not _SETEXT.match(lines[i + 1]):
        return False
    if _LIST_ITEM.match(lines[i]) or _ATX.match(lines[i]) or _SETEXT.match(lines[i]):
        return False
    return i == 0 or not lines[i - 1].strip()


class _MarkdownBody:
    """Walks Markdown lines: headings start sections, blank lines end blocks."""

    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.para: list[str] = []
        self.in_code = False
        self.first_h1: str | None = None

    def run(self, lines: list[str]) -> None:
        skip_next = False
        for i, line in enumerate(lines):
            if skip_next:
                skip_next = False
                continue
            if _FENCE.match(line):
                self.flush()
                self.in_code = not self.in_code
                continue
            if self.in_code:
                self.para.append(line.rstrip())
                continue
            skip_next = self._line(lines, i)
        self.flush()

    def _line(self, lines: list[str], i: int) -> bool:
        line = lines[i]
        m = _ATX.match(line)
        if m:
            self._heading(len(m.group(1)), m.group(2) or "")
            return False
        if _is_setext(lines, i):
            self._heading(1 if lines[i + 1].strip().startswith("=") else 2, line)
            return True
        if not line.strip():
            self.flush()
        elif not (_TABLE_RULE.match(line) or _RULE.match(line)):
            self.para.append(line)
        return False

    def _heading(self, level: int, raw: str) -> None:
        self.flush()
        text = clean_markdown_inline(raw)
        if not text:
            return
        if level == 1 and self.first_h1 is None:
            self.first_h1 = text
        self.builder.heading(level, text)

    def flush(self) -> None:
        lines = [clean_markdown_inline(x) for x in self.para]
        self.builder.add("\n".join(x for x in lines if x))
        self.para = []


def _document(fm: FrontMatter, body: str, sections: SectionBuilder, title: str) -> Document:
    return Document(
        source_id="",
        title=fm.title or title,
        sections=sections.sections(),
        doc_type=fm.doc_type or "other",
        language=fm.language or language_of(body),
        jurisdiction=fm.jurisdiction,
        short_title=fm.short_title,
        abbreviation=fm.abbreviation,
        adopted=fm.dates.get("adopted"),
        in_force_from=fm.dates.get("in_force_from"),
        last_amended=fm.dates.get("last_amended"),
        status=fm.status or "unknown",
        url=fm.url,
        ref_id=fm.ref_id,
        repealed_from=fm.dates.get("repealed_from"),
        replaces=fm.replaces,
        format="markdown",
        meta=fm.meta,
    )


def load_markdown(data: bytes, source_id: str, name: str) -> Document:
    """A Markdown file: front matter metadata, sections from headings (or heading-like lines)."""
    text = decode_bytes(data).replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raw, body = split_front_matter(text)
    fm = read_front_matter(raw)
    lines = split_lines(_COMMENT.sub("", body))
    builder = SectionBuilder()
    title = title_from_name(name)
    if _has_headings(lines):
        walker = _MarkdownBody(builder)
        walker.run(lines)
        title = shorten(walker.first_h1, 200) if walker.first_h1 else title
    else:
        build_plain([clean_markdown_inline(x) for x in lines], builder)
    doc = _document(fm, body, builder, title)
    doc.source_id = source_id
    return doc


__all__ = ["FrontMatter", "clean_markdown_inline", "load_markdown", "read_front_matter"]
