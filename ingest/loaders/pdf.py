"""PDF loader (pypdf): page text, cleaned and cut into numbered sections and paragraph blocks.

Per page the loader
1. drops running headers and footers (lines carrying the printed page number, or repeated on
   the edge of many pages),
2. removes margin line numbers that text extraction glues onto the end of lines
   ("... versjon 535" for "versjon 5" on line 35), found as runs of consecutive numbers on
   neighbouring lines (numbered items far apart, like "Endring 4", are left alone),
3. marks table-of-contents pages (dot leaders before page numbers), whose lines are no headings,
4. finds numbered headings ("5.2.2 Offentlig journal", "Kapittel 3" + title line), keeping only
   those that continue the document's outline, so table rows and footnotes are not headings,
5. joins lines into paragraph blocks, rejoining words split by an end-of-line hyphen.

Block.page is the 1-based physical page index; Block.page_label the printed page label when
the PDF defines page labels.
"""

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import PdfReadWarning

from ingest.loaders.common import LoadError, clean_inline
from ingest.loaders.text import (
    APPENDIX_BASE,
    Number,
    SectionBuilder,
    best_chain,
    heading_text_ok,
    is_leader_line,
    language_of,
    roman_value,
    shorten,
    title_from_name,
)
from ingest.model import Document

ENCRYPTED = "encrypted PDF: password protected, cannot read it"
NO_TEXT = "no extractable text: scanned or image-only PDF (needs OCR)"

_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
# Symbol-font glyphs in the private use area are list bullets in extracted text.
_PRIVATE_BULLETS = re.compile(r"[\uf020-\uf0ff]")
_BULLET = re.compile(r"^(?:[•●▪■◦‣∙·*]|[-–](?=\s)|o(?=\s+[A-ZÆØÅ]))\s*")
_TRAILING_DIGITS = re.compile(r"(\d{1,6})\s*$")
_PAGE_NUMBER_LINE = re.compile(
    r"^(?:[-–—]\s*)?(?:page|side|s\.)?\s*(\d{1,5}|[ivxlc]{1,6})(?:\s*(?:of|av|/)\s*\d{1,5})?"
    r"(?:\s*[-–—])?$",
    re.IGNORECASE,
)
_HEADING_NUMBER = re.compile(r"^((?:\d{1,2}|[A-Z](?=\.\d))(?:\.\d{1,3}){0,5})\.?\s+(\S.*)$")
_CHAPTER_LINE = re.compile(
    r"^(kapittel|chapter|tillegg|vedlegg|appendix|annex|bilag)\s+(\d{1,2}|[A-Z])\.?"
    r"(?:\s*[:.–-]?\s+(\S.*))?$",
    re.IGNORECASE,
)
_GLUED_NOTE = re.compile(r"(?<=[^\W\d_])\d{1,2}$")
_CONTENTS_TITLE = re.compile(r"^(?:innhold|innholdsfortegnelse|contents|table of contents)\b", re.I)
_MONTHS = re.compile(
    r"^(?:jan|feb|mar|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cs])[a-z]*\.?\b", re.IGNORECASE
)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÆØÅ]")
_SENTENCE_END = re.compile(r"[.!?][»”\"')\]]*$")
_GLUE_BEFORE_REF = r"[A-Za-zæøåÆØÅé)\]»”\"’]"
_CONJUNCTION_NAMES = "og eller samt and or nor to til enn"
_CONJUNCTIONS = frozenset(_CONJUNCTION_NAMES.split())
# A heading title does not end in these words; a wrapped sentence line often does.
_FUNCTION_NAMES = """the of and to a an in for on with by or at from as which that is are this
    these its their og i av til for på med som om eller en et ei å er fra frå ved under etter den
    det de sin"""
_FUNCTION_WORDS = frozenset(_FUNCTION_NAMES.split())

# Margin numbering is accepted for the whole document when a chain this long is found, or for a
# page when a dense chain of at least _PAGE_CHAIN lines is found on it.
_DOC_CHAIN = 20
_PAGE_CHAIN = 5
_MAX_BLOCK = 2000


@dataclass
class _Line:
    text: str
    numbered: bool = False  # a margin line number was removed from it


@dataclass
class _Page:
    number: int  # 1-based physical index
    label: str | None
    lines: list[_Line] = field(default_factory=list)
    toc: bool = False


@dataclass
class _Heading:
    label: str
    title: str
    level: int
    kind: str = "section"
    consumed: list[int] = field(default_factory=list)  # following line indexes in the title


# --------------------------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@contextmanager
def _quiet_pypdf() -> Iterator[list[str]]:
    """Collect pypdf's log warnings about damaged files instead of printing them."""
    notes: list[str] = []
    logger = logging.getLogger("pypdf")
    handler = _Collect(notes)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=PdfReadWarning)
            yield notes
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
    except Exception as exc:
        raise LoadError(f"corrupt or truncated PDF: {_first_line(exc)}") from None
    if reader.is_encrypted:
        try:
            result = reader.decrypt("")
        except Exception as exc:
            raise LoadError(f"{ENCRYPTED} ({_first_line(exc)})") from None
        if result == PasswordType.NOT_DECRYPTED:
            raise LoadError(ENCRYPTED)
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise LoadError(f"corrupt or truncated PDF: {_first_line(exc)}") from None
    if count == 0:
        raise LoadError("corrupt or truncated PDF: no pages")
    return reader


def _page_texts(reader: PdfReader) -> list[str]:
    texts: list[str] = []
    failed = 0
    for page in reader.pages:
        try:
            texts.append(page.extract_text() or "")
        except Exception:
            failed += 1
            texts.append("")
    if failed == len(texts):
        raise LoadError("corrupt or truncated PDF: no page could be read")
    return texts


def _page_labels(reader: PdfReader, count: int) -> list[str | None]:
    try:
        root = reader.trailer["/Root"].get_object()
        has_labels = isinstance(root, dict) and "/PageLabels" in root
        labels = list(reader.page_labels) if has_labels else []
    except Exception:
        labels = []
    if len(labels) != count:
        return [None] * count
    return [label or None for label in labels]


def _info(reader: PdfReader) -> dict[str, str]:
    try:
        info: dict[str, object] = dict(reader.metadata or {})
        items = {str(k).lstrip("/").lower(): v for k, v in info.items()}
    except Exception:
        return {}
    return {k: clean_inline(str(v)) for k, v in items.items() if isinstance(v, str) and v.strip()}


# --------------------------------------------------------------------------------------------
# Line cleaning: headers/footers, margin line numbers, table-of-contents pages
# --------------------------------------------------------------------------------------------


def _raw_lines(text: str) -> list[str]:
    text = _PRIVATE_BULLETS.sub("•", text.translate(_LIGATURES))
    return [clean_inline(line) for line in text.replace("\r", "\n").split("\n")]


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line]
    return sorted(set(filled[:2] + filled[-2:]))


def _is_page_number(line: str) -> bool:
    m = _PAGE_NUMBER_LINE.match(line)
    if not m:
        return False
    number = m.group(1)
    return number.isdigit() or (number.islower() and roman_value(number.upper()) is not None)


def _without_label(line: str, label: str) -> str | None:
    """The line without the page label at its start or end, or None if it has none there."""
    if line.startswith(label) and not line[len(label) : len(label) + 1].isalnum():
        return line[len(label) :]
    if line.startswith(label) and label.isdigit() and line[len(label)].isalpha():
        return line[len(label) :]  # "134TILLEGG C. ..." with the space lost
    if line.endswith(label) and not line[: -len(label)][-1:].isalnum():
        return line[: -len(label)]
    return None


def _is_header(line: str, label: str, repeated: bool) -> bool:
    if line == label or _is_page_number(line):
        return True
    rest = _without_label(line, label)
    if rest is None:
        return repeated
    letters = [c for c in rest if c.isalpha()]
    return repeated or (len(letters) >= 3 and all(c.isupper() for c in letters))


def _edge_keys(line: str, label: str) -> set[str]:
    """Keys under which a page-edge line repeats: its text, and its text around the page label
    ("Side #", "# KAPITTEL 2. ..."), so a running header is found however its number changes."""
    keys = {"=" + line.lower()}
    rest = _without_label(line, label)
    if rest is not None:
        side = "<" if line.startswith(label) else ">"
        keys.add(side + rest.strip().lower())
    return keys


def _drop_headers(pages: list[list[str]], labels: list[str]) -> list[list[str]]:
    counts: Counter[str] = Counter()
    for lines, label in zip(pages, labels, strict=True):
        keys: set[str] = set()
        for i in _edge_indexes(lines):
            keys |= _edge_keys(lines[i], label)
        counts.update(keys)
    limit = max(3, round(len(pages) * 0.3))
    out = []
    for lines, label in zip(pages, labels, strict=True):
        drop = set()
        for i in _edge_indexes(lines):
            repeated = any(counts[k] >= limit for k in _edge_keys(lines[i], label))
            if _is_header(lines[i], label, repeated):
                drop.add(i)
        out.append([line for i, line in enumerate(lines) if i not in drop])
    return out


def _number_readings(text: str) -> list[tuple[int, int]]:
    """Ways to read a margin number at the end of a line: (value, index where it starts)."""
    m = _TRAILING_DIGITS.search(text)
    if not m or is_leader_line(text):
        return []
    digits, start = m.group(1), m.start(1)
    if start == 0:
        return [] if digits[0] == "0" else [(int(digits), 0)]
    return [(int(digits[k:]), start + k) for k in range(len(digits)) if digits[k] != "0"]


def _number_chain(readings: list[list[tuple[int, int]]]) -> dict[int, int]:
    """Longest run of lines whose trailing numbers count up: line index -> cut index.

    Up to two missing numbers are bridged (a line the extraction lost, a blank numbered line).
    """
    best: dict[int, tuple[int, int, int]] = {}  # value -> (length, line, reading)
    back: dict[tuple[int, int], tuple[int, int] | None] = {}
    top: tuple[int, int, int] = (0, -1, -1)
    for i, options in enumerate(readings):
        found = []
        for r, (value, _) in enumerate(options):
            prev = max((best[v] for v in range(value - 3, value) if v in best), default=None)
            back[(i, r)] = (prev[1], prev[2]) if prev else None
            found.append((value, ((prev[0] if prev else 0) + 1, i, r)))
        for value, entry in found:
            if entry[0] > best.get(value, (0, -1, -1))[0]:
                best[value] = entry
            if entry[0] > top[0]:
                top = entry
    chain: dict[int, int] = {}
    node: tuple[int, int] | None = (top[1], top[2]) if top[0] else None
    while node is not None:
        chain[node[0]] = readings[node[0]][node[1]][1]
        node = back[node]
    return chain


def _mostly_adjacent(chain: dict[int, int]) -> bool:
    """Margin numbers sit on consecutive lines; numbered items ("Amendment 4") do not."""
    lines = sorted(chain)
    steps = [b - a for a, b in itertools.pairwise(lines)]
    return bool(steps) and sum(1 for step in steps if step <= 2) >= 0.6 * len(steps)


def _number_chains(readings: list[list[tuple[int, int]]], minimum: int) -> dict[int, int]:
    """All line-number runs of at least `minimum` lines (numbering may restart or jump)."""
    readings = list(readings)
    found: dict[int, int] = {}
    for _ in range(50):
        chain = _number_chain(readings)
        if len(chain) < minimum:
            break
        if _mostly_adjacent(chain):
            found.update(chain)
        for i in chain:
            readings[i] = []
    return found


def _dense(chain: dict[int, int]) -> bool:
    if len(chain) < _PAGE_CHAIN:
        return False
    return _mostly_adjacent(chain) and len(chain) / (max(chain) - min(chain) + 1) >= 0.5


def _strip_line_numbers(pages: list[list[str]]) -> list[list[_Line]]:
    flat = [(p, i) for p, lines in enumerate(pages) for i in range(len(lines))]
    readings = [_number_readings(pages[p][i]) for p, i in flat]
    cuts: dict[tuple[int, int], int] = {}
    cuts.update({flat[k]: cut for k, cut in _number_chains(readings, _DOC_CHAIN).items()})
    offset = 0
    for p, lines in enumerate(pages):
        page_chain = _number_chain(readings[offset : offset + len(lines)])
        if _dense(page_chain):
            for i, cut in page_chain.items():
                cuts.setdefault((p, i), cut)
        offset += len(lines)
    out: list[list[_Line]] = []
    for p, lines in enumerate(pages):
        page: list[_Line] = []
        for i, line in enumerate(lines):
            at = cuts.get((p, i))
            page.append(_Line(line[:at].rstrip(), True) if at is not None else _Line(line))
        out.append(page)
    return out


def _is_toc_page(lines: list[_Line]) -> bool:
    leaders = sum(1 for line in lines if is_leader_line(line.text))
    titled = any(_CONTENTS_TITLE.match(line.text) for line in lines[:5])
    return leaders >= 3 or (titled and leaders >= 1)


def _read_pages(texts: list[str], labels: list[str | None]) -> list[_Page]:
    raw = [_raw_lines(t) for t in texts]
    shown = [label or str(i + 1) for i, label in enumerate(labels)]
    cleaned = _strip_line_numbers(_drop_headers(raw, shown))
    pages = []
    for i, lines in enumerate(cleaned):
        page = _Page(i + 1, labels[i], lines)
        page.toc = _is_toc_page(lines)
        pages.append(page)
    return pages


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    page: int  # index into pages
    line: int
    number: Number
    title: str
    kind: str = "section"
    label: str = ""
    consumed: list[int] = field(default_factory=list)  # following lines that are title


def _title_ok(rest: str) -> bool:
    if not heading_text_ok(rest, max_words=14, max_len=110) or rest.endswith((".", ":")):
        return False
    return not _SENTENCE_BREAK.search(rest) and not _MONTHS.match(rest)


def _full_title_ok(cand: _Candidate) -> bool:
    """The title with its continuation lines still reads as a heading, not a sentence."""
    words = cand.title.split()
    if not words or cand.title.endswith((".", ":", ";", ",")):
        return False
    if words[-1].lower() in _FUNCTION_WORDS or len(words) > 16:
        return False
    # a lone "3 Text" is easily a numbered paragraph: keep such titles short
    return len(cand.number) > 1 or cand.kind != "section" or len(words) <= 10


def _footnote(cand: _Candidate, texts: list[str]) -> bool:
    """A "3 Text" line after a glued reference "...word3" is a footnote, unless a later line on
    the page starts with "3 " too (then that one is the footnote and this one a heading)."""
    if len(cand.number) != 1 or cand.kind != "section":
        return False
    number = str(cand.number[0])
    if any(t.startswith(number + " ") for t in texts[cand.line + 1 :]):
        return False
    before = " ".join(texts[: cand.line])
    return bool(re.search(rf"{_GLUE_BEFORE_REF}{number}(?!\d)", before))


def _chapter_candidate(index: int, i: int, text: str) -> _Candidate | None:
    """ "Kapittel 3" (title on the next line) or "Tillegg B Metadata" as a top-level heading."""
    m = _CHAPTER_LINE.match(text)
    if not m or (m.group(3) and not _title_ok(m.group(3))):
        return None
    word, mark = m.group(1).lower(), m.group(2)
    if mark.isalpha() and not mark.isupper():
        return None
    value = int(mark) if mark.isdigit() else ord(mark) - ord("A") + 1
    if word in ("kapittel", "chapter"):
        return _Candidate(index, i, (value,), m.group(3) or "", "chapter")
    label = f"{m.group(1).capitalize()} {mark}"
    return _Candidate(index, i, (APPENDIX_BASE + value,), m.group(3) or "", "annex", label)


def _numbered_candidate(index: int, i: int, text: str) -> _Candidate | None:
    m = _HEADING_NUMBER.match(text)
    if not m or not _title_ok(m.group(2)):
        return None
    parts = m.group(1).split(".")
    first = APPENDIX_BASE + ord(parts[0]) - ord("A") + 1 if parts[0].isalpha() else int(parts[0])
    number = (first, *(int(x) for x in parts[1:]))
    return _Candidate(index, i, number, _GLUED_NOTE.sub("", m.group(2)), "section", m.group(1))


def _runs_on(texts: list[str], i: int) -> bool:
    """A numbered paragraph, not a heading: the next two lines carry on its sentence."""
    following = texts[i + 1 : i + 3]
    return len(following) == 2 and all(t[:1].islower() for t in following)


def _continues(title: str, nxt: str) -> bool:
    """Whether the next line carries on a heading title wrapped over several lines."""
    if not nxt or _HEADING_NUMBER.match(nxt) or _CHAPTER_LINE.match(nxt):
        return False
    words = title.split()
    if not words or words[-1].endswith("-") or words[-1].lower() in _FUNCTION_WORDS:
        return len(nxt) <= 90
    return nxt[0].islower() and len(nxt) <= 60


def _complete_title(cand: _Candidate, texts: list[str]) -> None:
    """Add wrapped continuation lines (or a chapter's title lines) to the candidate's title."""
    limit = 2 if cand.kind == "section" else 3
    i = cand.line + 1
    while len(cand.consumed) < limit and i < len(texts) and _continues(cand.title, texts[i]):
        cand.title = join_lines(cand.title, texts[i]) if cand.title else texts[i]
        cand.consumed.append(i)
        i += 1
    cand.title = _GLUED_NOTE.sub("", cand.title)


def _page_candidates(index: int, page: _Page, numbered_doc: bool) -> list[_Candidate]:
    texts = [line.text for line in page.lines]
    found = []
    for i, line in enumerate(page.lines):
        if numbered_doc and not line.numbered:
            continue  # in a line-numbered document headings are body lines, tables are not
        cand = _chapter_candidate(index, i, line.text)
        if cand is None and not _runs_on(texts, i):
            cand = _numbered_candidate(index, i, line.text)
        if cand is None or _footnote(cand, texts):
            continue
        _complete_title(cand, texts)
        if _full_title_ok(cand):
            found.append(cand)
    return found


def _credible(chain: list[_Candidate]) -> bool:
    """An outline of bare "1 Text" headings only, spread thinly over many pages, is more likely
    numbered paragraphs of running text than the document's structure."""
    if any(len(c.number) > 1 or c.kind != "section" for c in chain):
        return True
    span = chain[-1].page - chain[0].page + 1 if chain else 0
    return span <= 10 * len(chain)


def _find_headings(pages: list[_Page]) -> dict[tuple[int, int], _Heading]:
    numbered_pages = sum(1 for p in pages if any(line.numbered for line in p.lines))
    numbered_doc = numbered_pages >= max(1, len(pages) // 3)
    cands: list[_Candidate] = []
    for index, page in enumerate(pages):
        if not page.toc:
            cands.extend(_page_candidates(index, page, numbered_doc))
    chain = best_chain(
        [c.number for c in cands], start_ok=lambda n: all(x <= 1 for x in n), min_len=2
    )
    if not _credible([cands[k] for k in chain]):
        return {}
    headings = {}
    for cand in (cands[k] for k in chain):
        label = cand.label or ".".join(str(n) for n in cand.number)
        heading = _Heading(label, cand.title, len(cand.number), cand.kind, cand.consumed)
        headings[(cand.page, cand.line)] = heading
    return headings


def _title_key(text: str) -> str:
    return re.sub(r"\W+", " ", _GLUED_NOTE.sub("", text.strip()).lower()).strip()


def _bookmark_headings(
    pages: list[_Page], found: dict[tuple[int, int], _Heading], bookmarks: list[_Bookmark]
) -> dict[tuple[int, int], _Heading]:
    """Headings without a number that the PDF's bookmarks name ("How is a PIA carried
    out?", "Definitions"): a bookmark counts when a line of the page it points to is its title,
    and no numbered heading already carries that title (numbered headings are found from the
    text). Its label is its title, as for an unnumbered Markdown heading; its level is its depth
    in the outline."""
    known = {_title_key(h.title) for h in found.values()}
    taken = {(p, i) for (p, line), h in found.items() for i in (line, *h.consumed)}
    out: dict[tuple[int, int], _Heading] = {}
    for mark in bookmarks:
        key = _title_key(mark.title)
        if not key or key in known or _HEADING_NUMBER.match(mark.title) or len(key) > 120:
            continue
        if mark.page >= len(pages) or pages[mark.page].toc:
            continue
        for i, line in enumerate(pages[mark.page].lines):
            if (mark.page, i) not in taken and _title_key(line.text) == key:
                out[(mark.page, i)] = _Heading(mark.title, mark.title, mark.depth + 1)
                known.add(key)
                taken.add((mark.page, i))
                break
    return out


# --------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------


def join_lines(first: str, second: str) -> str:
    """Join two lines of one paragraph, rejoining a word split by an end-of-line hyphen.

    "saks-" + "behandling" -> "saksbehandling"; "helse-" + "og omsorg" keeps "helse- og";
    a one-letter or upper-case part keeps its hyphen ("e-" + "post", "AI-" + "based").
    """
    first, second = first.rstrip(), second.strip()
    if not first or not second:
        return first or second
    if first.endswith("\u00ad"):
        return first[:-1] + second
    m = re.search(r"(\w+)-$", first)
    if not m or first.endswith("--"):
        return f"{first} {second}"
    fragment, next_word = m.group(1), second.split()[0]
    if next_word.lower().strip(",.;:") in _CONJUNCTIONS:
        return f"{first} {second}"
    keep = len(fragment) == 1 or not fragment.isalpha() or fragment[1:] != fragment[1:].lower()
    if keep or not second[0].islower():
        return first + second
    return first[:-1] + second


class _Paragraphs:
    """Builds blocks from the lines of one page; a block never spans two pages."""

    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.items: list[str] = []
        self.page: _Page | None = None
        self.width = 80

    def start_page(self, page: _Page) -> None:
        self.flush()
        self.page = page
        lengths = sorted(len(line.text) for line in page.lines if line.text)
        self.width = lengths[int(len(lengths) * 0.9)] if lengths else 80

    def add(self, text: str, own_line: bool = False) -> None:
        if not text:
            self.flush()
            return
        if own_line or _BULLET.match(text) or not self.items:
            self.items.append(_BULLET.sub("• ", text, count=1))
        else:
            self.items[-1] = join_lines(self.items[-1], text)
        size = sum(len(x) for x in self.items)
        if _SENTENCE_END.search(text) and (len(text) < 0.8 * self.width or size > _MAX_BLOCK):
            self.flush()

    def flush(self) -> None:
        if self.items and self.page is not None:
            self.builder.add("\n".join(self.items), self.page.number, self.page.label)
        self.items = []


def _build_sections(
    pages: list[_Page], headings: dict[tuple[int, int], _Heading]
) -> SectionBuilder:
    builder = SectionBuilder()
    paragraphs = _Paragraphs(builder)
    for index, page in enumerate(pages):
        paragraphs.start_page(page)
        skip: set[int] = set()
        for i, line in enumerate(page.lines):
            heading = headings.get((index, i))
            if heading is not None:
                paragraphs.flush()
                builder.start(heading.label, heading.title, heading.level, heading.kind)
                skip.update(heading.consumed)
            elif i not in skip and page.toc:
                paragraphs.add(re.sub(r"(?:\s?\.){4,}\s?", " … ", line.text), own_line=True)
            elif i not in skip:
                paragraphs.add(line.text)
        paragraphs.flush()
    return builder


# --------------------------------------------------------------------------------------------
# Document
# --------------------------------------------------------------------------------------------


def _good_title(title: str) -> bool:
    if len(title) < 4 or re.search(r"\.(docx?|pdf|odt|rtf|txt|indd|pptx?|xlsx?)$", title, re.I):
        return False
    if re.match(r"^(microsoft\s+\w+\s*-|untitled|document\s*\d*$)", title, re.IGNORECASE):
        return False
    return " " in title or ("_" not in title and len(title) >= 8)


def _first_page_title(pages: list[_Page]) -> str | None:
    for page in pages[:2]:
        for line in page.lines:
            if len(re.findall(r"[^\W\d_]{2,}", line.text)) >= 2:
                return line.text
    return None


@dataclass(frozen=True)
class _Bookmark:
    title: str
    page: int  # index into pages
    depth: int  # 0: top level


def _bookmarks(reader: PdfReader) -> list[_Bookmark]:
    """The PDF's own outline (bookmarks), in order; none when it has none or it is broken."""
    out: list[_Bookmark] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
                title = clean_inline(str(item.title or ""))
            except Exception:
                continue
            if title and page is not None and page >= 0:
                out.append(_Bookmark(title, page, depth))

    try:
        walk(list(reader.outline), 0)
    except Exception:
        return []
    return out


def _extract(data: bytes) -> _Extracted:
    with _quiet_pypdf() as notes:
        reader = _open(data)
        texts = _page_texts(reader)
        labels = _page_labels(reader, len(texts))
        info = _info(reader)
        bookmarks = _bookmarks(reader)
    return _Extracted(texts, labels, info, notes, bookmarks)


@dataclass
class _Extracted:
    texts: list[str]
    labels: list[str | None]
    info: dict[str, str]
    notes: list[str]
    bookmarks: list[_Bookmark]


def load_pdf(data: bytes, source_id: str, name: str) -> Document:
    """A PDF with a text layer: numbered headings, and unnumbered ones its bookmarks name, as
    sections; paragraphs as page blocks."""
    found = _extract(data)
    texts, info = found.texts, found.info
    if sum(1 for c in "".join(texts) if c.isalnum()) < 20:
        raise LoadError(NO_TEXT)
    pages = _read_pages(texts, found.labels)
    headings = _find_headings(pages)
    headings.update(_bookmark_headings(pages, headings, found.bookmarks))
    builder = _build_sections(pages, headings)
    sections = builder.sections()
    meta = {"pages": str(len(pages))}
    meta.update({k: v for k, v in info.items() if k in ("author", "subject", "keywords")})
    if found.notes:
        meta["pdf_warnings"] = str(len(found.notes))
    info_title = info.get("title", "")
    title = info_title if _good_title(info_title) else _first_page_title(pages)
    return Document(
        source_id=source_id,
        title=shorten(title or title_from_name(name), 200),
        sections=sections,
        language=language_of(" ".join(texts[:40])),
        format="pdf",
        meta=meta,
    )


__all__ = ["ENCRYPTED", "NO_TEXT", "join_lines", "load_pdf"]
