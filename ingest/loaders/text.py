"""Plain-text loader, plus the heading and section helpers the text-like loaders share.

The Markdown, HTML, DOCX and PDF loaders reuse `SectionBuilder` (ordered sections with a label
path), `parse_heading` (citation label from a heading line) and, for text without markup,
`build_plain` (headings recognised from the look of a line: "3.2 Foo", "III. Foo", "a) Foo").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import cast

from ingest.loaders.common import LoadError, clean_inline, decode_text, guess_language
from ingest.model import Block, Document, Language, Section

# --------------------------------------------------------------------------------------------
# Heading labels
# --------------------------------------------------------------------------------------------

_SECTION_SIGN = re.compile(r"^§{1,2}\s*(\d+(?:\s?[a-z])?)(?=[\s.:,)–—-]|$)[.:]?\s*(.*)$")
_NAMED = re.compile(
    r"^(artikkel|article|art\.|kapittel|chapter|annex|vedlegg|bilag|appendix|del|part)\s+"
    r"(\d{1,3}[a-z]?|[IVXLC]+|[A-Z])(?=[\s.:)–—-]|$)[.:]?\s*(.*)$",
    re.IGNORECASE,
)
_NAMED_KIND = {
    "artikkel": "article",
    "article": "article",
    "art.": "article",
    "kapittel": "chapter",
    "chapter": "chapter",
    "annex": "annex",
    "vedlegg": "annex",
    "bilag": "annex",
    "appendix": "annex",
    "del": "part",
    "part": "part",
}
_NUMBERED = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?(?:\s+(.*))?$")
_ROMAN_MARK = re.compile(r"^([IVXLC]+)\.\s+(\S.*)$")
_UPPER_MARK = re.compile(r"^([A-Z])\.\s+(\S.*)$")
_LOWER_MARK = re.compile(r"^\(?([a-z])\)\s+(\S.*)$")
_ROMAN_VALID = re.compile(r"^(?=[IVXLC])(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_LEADERS = re.compile(r"(?:\.\s?){4,}|…{2,}|_{4,}|(?:·\s?){4,}")
_DASH_PREFIX = re.compile(r"^[\s:.–—-]+")


@dataclass
class HeadingParts:
    """A heading split into its citation label and the rest of its text."""

    label: str
    rest: str
    kind: str = "section"
    outline: str = ""  # "roman", "upper" or "lower" for outline markers such as "III." or "a)"
    marker: str = ""


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral up to 399, or None."""
    if not _ROMAN_VALID.match(text):
        return None
    values = [_ROMAN_VALUES[c] for c in text]
    total = 0
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


def _named_heading(text: str) -> HeadingParts | None:
    m = _NAMED.match(text)
    if not m or not m.group(1)[0].isupper():
        return None
    word = m.group(1).lower()
    kind = _NAMED_KIND[word]
    shown = "Article" if word == "art." else m.group(1).capitalize()
    number = m.group(2).upper() if m.group(2).isalpha() else m.group(2)
    rest = _DASH_PREFIX.sub("", m.group(3))
    return HeadingParts(f"{shown} {number}", rest, kind)


def _outline_heading(text: str) -> HeadingParts | None:
    for kind, pattern in (("roman", _ROMAN_MARK), ("upper", _UPPER_MARK), ("lower", _LOWER_MARK)):
        m = pattern.match(text)
        if m and (kind != "roman" or roman_value(m.group(1))):
            return HeadingParts(m.group(1), m.group(2).strip(), "section", kind, m.group(1))
    return None


def parse_heading(text: str) -> HeadingParts:
    """Label and rest of a heading: "§ 28", "Artikkel 35", "3.2", an outline marker or the text."""
    text = clean_inline(text)
    m = _SECTION_SIGN.match(text)
    if m:
        return HeadingParts(f"§ {m.group(1)}", _DASH_PREFIX.sub("", m.group(2)), "section")
    named = _named_heading(text)
    if named:
        return named
    m = _NUMBERED.match(text)
    if m and m.group(2):
        return HeadingParts(m.group(1), m.group(2).strip(), "section")
    outline = _outline_heading(text)
    if outline:
        return outline
    return HeadingParts(text, text, "section")


def is_leader_line(line: str) -> bool:
    """A table-of-contents line: dot leaders (". . . ." or "....") before a page number."""
    return bool(_LEADERS.search(line))


# --------------------------------------------------------------------------------------------
# Section builder
# --------------------------------------------------------------------------------------------


@dataclass
class _Open:
    level: int
    label: str
    outline: bool


class SectionBuilder:
    """Collects ordered sections; text before the first heading goes to a section labelled ""."""

    def __init__(self) -> None:
        self._current = Section(label="")
        self._sections: list[Section] = [self._current]
        self._stack: list[_Open] = []

    def heading(self, level: int, text: str) -> Section:
        """Start a section from a marked-up heading (Markdown #, HTML h1-h6, DOCX style)."""
        parts = parse_heading(text)
        label = parts.label
        parent = self._parent(level)
        if parts.outline and parent is not None and parent.outline:
            label = f"{parent.label}.{parts.marker}"
        heading = parts.rest if parts.rest else text
        return self.start(label, clean_inline(heading), level, parts.kind, bool(parts.outline))

    def start(
        self, label: str, heading: str, level: int, kind: str = "section", outline: bool = False
    ) -> Section:
        """Start a section with a known label at a nesting level (1 = top)."""
        while self._stack and self._stack[-1].level >= level:
            self._stack.pop()
        path = [o.label for o in self._stack] + [label]
        self._stack.append(_Open(level, label, outline))
        self._current = Section(label=label, heading=heading, path=path, kind=kind)
        self._sections.append(self._current)
        return self._current

    def add(self, text: str, page: int | None = None, page_label: str | None = None) -> None:
        text = text.strip()
        if text:
            self._current.blocks.append(Block(text=text, page=page, page_label=page_label))

    def sections(self) -> list[Section]:
        """The sections so far; an empty leading "" section is left out."""
        first, *rest = self._sections
        return [first, *rest] if first.blocks else rest

    def _parent(self, level: int) -> _Open | None:
        for entry in reversed(self._stack):
            if entry.level < level:
                return entry
        return None


# --------------------------------------------------------------------------------------------
# Numbered headings: choose the longest plausible sequence ("1", "1.1", "1.2", "2", ...)
# --------------------------------------------------------------------------------------------

Number = tuple[int, ...]


def parse_number(text: str) -> Number:
    return tuple(int(p) for p in text.split("."))


# Appendix numbers ("Tillegg A", "B.1.2") count from here, so they follow any chapter number.
APPENDIX_BASE = 1000


def plausible_next(prev: Number, cur: Number) -> bool:
    """Whether heading number `cur` can follow `prev` (next sibling, first child, next chapter).

    One skipped number is tolerated, so a heading the extraction lost does not break the chain.
    """
    if prev[0] < APPENDIX_BASE < cur[0]:
        return cur[0] == APPENDIX_BASE + 1 and all(x in (0, 1) for x in cur[1:])
    if len(cur) > len(prev) and cur[: len(prev)] == prev:
        extra = cur[len(prev) :]
        return len(extra) <= 2 and all(x in (0, 1) for x in extra)
    for k in range(min(len(prev), len(cur))):
        if cur[k] != prev[k]:
            tail_ok = all(x in (0, 1) for x in cur[k + 1 :])
            return prev[k] < cur[k] <= prev[k] + 2 and tail_ok
    return False


def best_chain(
    numbers: Sequence[Number],
    start_ok: Callable[[Number], bool] = lambda n: True,
    min_len: int = 1,
    window: int = 400,
) -> list[int]:
    """Indices of the longest subsequence of heading numbers that reads as a document outline.

    Table rows, footnotes and list items that merely look like headings rarely continue the
    outline, so they fall out of the chain.
    """
    length = [0] * len(numbers)
    back = [-1] * len(numbers)
    for i, cur in enumerate(numbers):
        length[i] = 1 if start_ok(cur) else 0
        for j in range(max(0, i - window), i):
            if length[j] and length[j] + 1 >= max(length[i], 2) and plausible_next(numbers[j], cur):
                length[i], back[i] = length[j] + 1, j
    if not numbers or max(length) < min_len or max(length) == 0:
        return []
    end = length.index(max(length))
    chain = []
    while end >= 0:
        chain.append(end)
        end = back[end]
    return chain[::-1]


# --------------------------------------------------------------------------------------------
# Headings recognised in plain lines (text files, Markdown without # headings)
# --------------------------------------------------------------------------------------------

_OUTLINE_ORDER = ("roman", "upper", "lower")
_MERGED_HEADING = re.compile(r"(?<=[?.!])\s+(?=[a-z]\)\s+[A-ZÆØÅ])")


def heading_text_ok(rest: str, max_words: int = 14, max_len: int = 120) -> bool:
    """Whether the text after a heading number reads like a heading title."""
    rest = rest.strip()
    if not rest or not rest[0].isupper() or len(rest) > max_len:
        return False
    if len(rest.split()) > max_words or is_leader_line(rest):
        return False
    return not rest.endswith((",", ";"))


def _numbered_plain(line: str, prev_blank: bool) -> tuple[Number, str] | None:
    m = _NUMBERED.match(line)
    if not m or not m.group(2):
        return None
    number, rest = parse_number(m.group(1)), m.group(2).strip()
    if len(number) == 1 and not prev_blank:
        return None  # a "1." line inside a paragraph is a numbered list item
    if not heading_text_ok(rest, max_words=12, max_len=100) or rest.endswith((".", ":")):
        return None
    if re.search(r"[.!?]\s+[A-ZÆØÅ]", rest):
        return None
    return number, rest


def _outline_readings(line: str) -> list[tuple[str, int, str, str]]:
    """(kind, ordinal, marker, rest) for each way to read an outline marker at the line start."""
    out: list[tuple[str, int, str, str]] = []
    m = _UPPER_MARK.match(line)
    if m:
        out.append(("upper", ord(m.group(1)) - ord("A") + 1, m.group(1), m.group(2)))
    m = _ROMAN_MARK.match(line)
    value = roman_value(m.group(1)) if m else None
    if m and value:
        out.append(("roman", value, m.group(1), m.group(2)))
    m = _LOWER_MARK.match(line)
    if m:
        out.append(("lower", ord(m.group(1)) - ord("a") + 1, m.group(1), m.group(2)))
    return out


class OutlineTracker:
    """Follows "I. / A. / a)" outlines in plain text and gives combined labels like "III.B.a".

    A marker only counts as a heading when it continues the outline: the next letter or numeral
    of an open level, or the first ("A.", "a)", "I.") of a new level.
    """

    def __init__(self) -> None:
        self.stack: list[tuple[str, int, str]] = []  # (kind, ordinal, marker)

    def reset(self) -> None:
        self.stack.clear()

    def accept(self, line: str) -> tuple[str, str, int] | None:
        """(label, rest, level) if the line is the next outline heading, else None."""
        for kind, ordinal, marker, rest in _outline_readings(line):
            if not heading_text_ok(rest, max_words=45, max_len=260):
                continue
            if self._fits(kind, ordinal):
                self._push(kind, ordinal, marker)
                label = ".".join(m for _, _, m in self.stack)
                return label, rest.strip(), _OUTLINE_ORDER.index(kind) + 1
        return None

    def _fits(self, kind: str, ordinal: int) -> bool:
        for open_kind, open_ordinal, _ in self.stack:
            if open_kind == kind:
                return ordinal == open_ordinal + 1
        return ordinal == 1

    def _push(self, kind: str, ordinal: int, marker: str) -> None:
        depth = _OUTLINE_ORDER.index(kind)
        self.stack = [e for e in self.stack if _OUTLINE_ORDER.index(e[0]) < depth]
        self.stack.append((kind, ordinal, marker))


def split_merged_headings(line: str) -> list[str]:
    """Text extraction sometimes puts two headings on one line ("D. Foo? a) Bar"): split them."""
    if is_leader_line(line) or not _outline_readings(line):
        return [line]
    return [part for part in _MERGED_HEADING.split(line) if part.strip()]


_FIXED_LEVEL = {"chapter": 1, "part": 1, "annex": 1, "article": 2, "section": 2}


def _named_plain(line: str) -> HeadingParts | None:
    """A "§ 28 Foo", "Artikkel 5", "Kapittel 2", "Annex III" line that stands as a heading."""
    if not line or not (line.startswith("§") or line[0].isupper()):
        return None
    parts = parse_heading(line)
    if parts.outline or parts.label == line or _NUMBERED.match(line):
        return None
    if parts.rest and not heading_text_ok(parts.rest, max_words=12, max_len=100):
        return None
    if parts.rest.endswith((".", ":")) or re.search(r"[.!?]\s+[A-ZÆØÅ]", parts.rest):
        return None
    if parts.rest.isupper() and len(parts.rest.split()) >= 3:
        return None  # a banner such as "ARTICLE 29 DATA PROTECTION WORKING PARTY"
    return parts


class _Paragraph:
    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def flush(self) -> None:
        text = "\n".join(clean_inline(x) for x in self.lines if x.strip())
        self.builder.add(text)
        self.lines = []


def _plain_lines(lines: Sequence[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend(split_merged_headings(clean_inline(line)))
    return out


def _numbered_chain(lines: Sequence[str]) -> dict[int, tuple[Number, str]]:
    found: list[tuple[int, Number, str]] = []
    for i, line in enumerate(lines):
        hit = _numbered_plain(line, prev_blank=i == 0 or not lines[i - 1])
        if hit:
            found.append((i, *hit))
    chain = best_chain([number for _, number, _ in found])
    return {found[k][0]: (found[k][1], found[k][2]) for k in chain}


def build_plain(raw_lines: Sequence[str], builder: SectionBuilder) -> None:
    """Blocks from blank-line separated paragraphs; heading-like lines start sections."""
    lines = _plain_lines(raw_lines)
    numbered = _numbered_chain(lines)
    outline = OutlineTracker()
    para = _Paragraph(builder)
    for i, line in enumerate(lines):
        if not line:
            para.flush()
            continue
        if is_leader_line(line):
            para.add(line)
            continue
        if _plain_heading(line, i, numbered, outline, builder, para):
            continue
        para.add(line)
    para.flush()


def _plain_heading(
    line: str,
    i: int,
    numbered: dict[int, tuple[Number, str]],
    outline: OutlineTracker,
    builder: SectionBuilder,
    para: _Paragraph,
) -> bool:
    if i in numbered:
        number, rest = numbered[i]
        para.flush()
        outline.reset()
        builder.start(".".join(map(str, number)), rest, len(number))
        return True
    named = _named_plain(line)
    if named:
        para.flush()
        outline.reset()
        builder.start(named.label, named.rest, _FIXED_LEVEL.get(named.kind, 2), named.kind)
        return True
    hit = outline.accept(line)
    if hit:
        label, rest, level = hit
        para.flush()
        builder.start(label, rest, level, outline=True)
        return True
    return False


# --------------------------------------------------------------------------------------------
# The text loader
# --------------------------------------------------------------------------------------------


_SHARED_WORDS = re.compile(r"\b(?:for|skal|blir|mellom)\b", re.IGNORECASE)


def language_of(text: str) -> Language:
    """guess_language, typed for `Document.language`.

    Words common to the languages it tells apart are left out of the count: "for" (Norwegian
    and English), "skal", "blir" and "mellom" (bokmål and nynorsk) would tip it the wrong way.
    """
    return cast(Language, guess_language(_SHARED_WORDS.sub(" ", text[:40000])))


def shorten(text: str, limit: int = 120) -> str:
    text = clean_inline(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def title_from_name(name: str) -> str:
    stem = PurePosixPath(name).stem or name
    return clean_inline(stem.replace("_", " ")) or "Uten tittel"


def first_line_title(text: str, name: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return shorten(line)
    return title_from_name(name)


def split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")


_WESTERN = frozenset("æøåÆØÅéÉèÈêüÜöÖäÄáÁóÓíÍúÚñÑçÇ«»–—‘’“”…€§°½·•×")


def decode_bytes(data: bytes) -> str:
    """decode_text, but a legacy Western text (Windows-1252/Latin-1, as Norwegian office files
    are) is read as such: a detector can take a short "Søknad" for a Central European code page.
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return decode_text(data)
    extra = [c for c in text if ord(c) > 127]
    if "\x00" not in text and sum(c in _WESTERN for c in extra) >= 0.8 * len(extra):
        return text
    return decode_text(data)


def load_text(data: bytes, source_id: str, name: str) -> Document:
    """A plain-text file in any encoding: paragraphs under "" or under numbered headings."""
    text = decode_bytes(data).replace("\x00", "")
    if not text.strip():
        raise LoadError("empty text file")
    lines = split_lines(text)
    builder = SectionBuilder()
    build_plain(lines, builder)
    return Document(
        source_id=source_id,
        title=first_line_title(text, name),
        sections=builder.sections(),
        language=language_of(text),
        format="text",
    )


__all__ = [
    "APPENDIX_BASE",
    "HeadingParts",
    "OutlineTracker",
    "SectionBuilder",
    "best_chain",
    "build_plain",
    "decode_bytes",
    "heading_text_ok",
    "is_leader_line",
    "language_of",
    "load_text",
    "parse_heading",
    "plausible_next",
]
