"""EUR-Lex loaders: the Official Journal XHTML (and the consolidated-text dialect) and Formex 4.

Both formats come out the same way: an optional "Preamble" section (the citations), one section
per recital ("Recital 12"), per article ("Article 5", with its chapter/section path) and per
annex ("Annex III"). An article gets one `Block` per numbered paragraph ("1. ..."), with its
points "(a) ...", "(i) ..." on their own lines inside that block; an unnumbered article gets one
block per paragraph, the points that follow a paragraph staying with it, and numbered list items
such as definitions "(1) ..." getting a block each. Footnote markers, corrigendum arrows
(►C1 ... ◄, ▼B), scripts and page furniture are dropped.

XHTML is segmented by its ELI ids (`pbl_1`, `rct_N`, `art_N`, `anx_N`, `cpt_N`, `cpt_N.sct_N`),
Formex by its elements (`CONSID`, `ARTICLE`, `PARAG`, `ALINEA`, `LIST`/`ITEM`/`NP`, `DIVISION`,
`ANNEX`).
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from lxml import etree

from ingest.loaders.common import LoadError, clean_inline
from ingest.model import Block, Document, Section

Element: TypeAlias = etree._Element  # lxml ships no type information

# --------------------------------------------------------------------------- text helpers

_NOTE = "\x00"  # left where a footnote marker was removed; tidied away by _clean
_MARKERS = re.compile(r"[►▼▲]\s?[A-Z]\d*|◄")
_WS = re.compile(r"\s+")
_EMPTY_PARENS = re.compile(r"\(\s*\x00\s*\)")
_NOTE_BEFORE_PUNCT = re.compile(r"\s*\x00\s*(?=[,.;:)’])")
_LABEL = r"(?:\(?\d{1,3}(?:\.\d{1,3})*[a-z]?[.)]|\((?:[a-z]{1,3}|[ivxlc]+|\d{1,3}[a-z]?)\)|[—–•-])"
_BARE_LABEL = re.compile(rf"^[‘“']?{_LABEL}$")
_NUMERIC_ITEM = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[a-z]?\.|\(\d{1,3}[a-z]?\))\s")
_PARAGRAPH_NO = re.compile(r"^\d{1,3}[a-z]?\.\s+\S")
_PUNCTUATION = re.compile(r"^[;:,.’”)]+$")
_RECITAL_NO = re.compile(r"^\(\d{1,3}[a-z]?\)\s*")


def _clean(text: str) -> str:
    """One line of text: no corrigendum arrows, no footnote leftovers, single spaces."""
    text = _MARKERS.sub(" ", text)
    text = _WS.sub(" ", text)
    text = _EMPTY_PARENS.sub(_NOTE, text)
    text = _NOTE_BEFORE_PUNCT.sub("", text)
    text = text.replace(_NOTE, " ")
    return clean_inline(_WS.sub(" ", text))


@dataclass
class _Line:
    """One rendered line of a section body before it is grouped into blocks."""

    text: str
    level: int = 0  # 0: paragraph text; 1: point (a); 2: sub-point (i); ...
    start: bool = False  # opens a numbered paragraph of an article ("1. ...")
    heading: bool = False  # a heading inside an annex ("Section A. ...")


def _merge_labels(lines: list[_Line]) -> list[_Line]:
    """Join a line that is only a label ("1.", "(a)") with the line after it."""
    out: list[_Line] = []
    pending: _Line | None = None
    for line in lines:
        if pending is not None:
            line = _Line(f"{pending.text} {line.text}", pending.level, pending.start)
            pending = None
        if _BARE_LABEL.match(line.text) and not line.heading:
            pending = line
            continue
        out.append(line)
    if pending is not None:
        out.append(pending)
    return out


def _opens_block(line: _Line, numbered: bool) -> bool:
    if line.start:
        return True
    if line.level == 0:
        return not numbered  # a later subparagraph stays with its numbered paragraph
    return line.level == 1 and not numbered and bool(_NUMERIC_ITEM.match(line.text))


def _group(lines: list[_Line]) -> list[Block]:
    """Blocks from lines: numbered paragraphs, plain paragraphs and numbered items open one;
    a heading inside an annex opens a block and the text under it joins that block."""
    groups: list[list[str]] = []
    numbered = False
    after_heading = False
    for line in _merge_labels(lines):
        if line.heading:
            if after_heading and groups[-1]:  # "Section 1" + "Information to be provided ..."
                groups[-1][-1] += f" {line.text}"
            else:
                groups.append([line.text])
            numbered, after_heading = False, True
            continue
        if line.start:
            numbered = True
        if not groups or (not after_heading and _opens_block(line, numbered)):
            groups.append([])
        after_heading = False
        groups[-1].append(line.text)
    return [Block(text="\n".join(g)) for g in groups if g]


# --------------------------------------------------------------------------- tree walking


class _Walker:
    """Turns a subtree into `_Line`s. Subclasses say what is a block, a point, or noise."""

    def skip(self, el: Element) -> bool:
        raise NotImplementedError

    def is_block(self, el: Element) -> bool:
        raise NotImplementedError

    def is_heading(self, el: Element) -> bool:
        raise NotImplementedError

    def point(self, el: Element) -> tuple[str, list[Element]] | None:
        """(label, body elements) when `el` is a numbered or lettered point."""
        raise NotImplementedError

    def nests(self, el: Element) -> bool:
        """Whether the content of `el` sits one level down (list items, quoted text)."""
        return False

    def inline_text(self, el: Element) -> str:
        """The text of an inline element with its descendants (not its tail)."""
        parts = [el.text or ""]
        for child in el:
            parts.append(self.child_text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def child_text(self, child: Element) -> str:
        if not isinstance(child.tag, str):
            return ""  # comment or processing instruction
        if self.skip(child):
            return _NOTE
        return self.inline_text(child)

    def lines(self, el: Element, level: int = 0) -> list[_Line]:
        out: list[_Line] = []
        self.walk(el, level, out)
        return out

    def walk(self, el: Element, level: int, out: list[_Line]) -> None:
        if self.is_heading(el):
            sub: list[_Line] = []
            self._walk_children(el, level, sub)
            text = " ".join(line.text for line in sub)
            if text:
                out.append(_Line(text, level, heading=True))
            return
        point = self.point(el)
        if point is not None:
            self._walk_point(point, level, out)
            return
        self._walk_children(el, level + 1 if self.nests(el) else level, out)

    def _walk_children(self, el: Element, level: int, out: list[_Line]) -> None:
        """Mixed content: runs of text and inline elements become lines, blocks recurse."""
        buffer = [el.text or ""]
        for child in el:
            if isinstance(child.tag, str) and self.is_block(child) and not self.skip(child):
                self._flush(buffer, level, out)
                self.walk(child, level, out)
                buffer = [child.tail or ""]
            else:
                buffer += [self.child_text(child), child.tail or ""]
        self._flush(buffer, level, out)

    def _walk_point(self, point: tuple[str, list[Element]], level: int, out: list[_Line]) -> None:
        label, body = point
        sub: list[_Line] = []
        for part in body:
            self.walk(part, level + 1, sub)
        label = _clean(label)
        if not sub:
            if label:
                out.append(_Line(label, level + 1))
            return
        if label:
            sub[0].text = f"{label} {sub[0].text}"
        out.extend(sub)

    @staticmethod
    def _flush(buffer: list[str], level: int, out: list[_Line]) -> None:
        text = _clean("".join(buffer))
        if text and out and _PUNCTUATION.match(text):
            out[-1].text += text  # "’;" after a quoted block belongs to its last line
        elif text:
            out.append(_Line(text, level))


def _classes(el: Element) -> set[str]:
    return set((el.get("class") or "").split())


def _text_of(el: Element | None, walker: _Walker) -> str:
    return "" if el is None else _clean(walker.inline_text(el))


# --------------------------------------------------------------------------- metadata

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_DATE_IN_TITLE = re.compile(r"\bof (\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b", re.I)
_ACT_NO = re.compile(
    r"\((?:EU|EC|EEC|EU, Euratom|EC, Euratom|Euratom)\)\s+(No\s+)?(\d{1,4})/(\d{1,4})", re.I
)
_OLD_DIRECTIVE_NO = re.compile(r"\b(\d{2,4})/(\d{1,4})/(?:EU|EC|EEC)\b")
_SHORT_TITLE = re.compile(r"\(([A-Z][^()]*)\)\s*$")
_EEA = re.compile(r"^\(?text with eea relevance\)?\.?$", re.I)
_CAPITALISED = re.compile(
    r"\b(european|parliament|council|commission|union|euratom|regulation|directive|decision|"
    r"implementing|delegated|central|bank)\b"
)
_CELEX_TYPE = {"regulation": "R", "directive": "L", "decision": "D"}
_ELI_TYPE = {"regulation": "reg", "directive": "dir", "decision": "dec"}


def _unshout(line: str) -> str:
    """'REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT' -> 'Regulation (EU) 2016/679 of the
    European Parliament'; lines that are not all capitals are returned unchanged."""
    if line != line.upper():
        return line
    low = line.lower()
    low = _CAPITALISED.sub(lambda m: m.group(1).capitalize(), low)
    low = re.sub(r"(?<=[(/])(eu|ec|eec)\b", lambda m: m.group(1).upper(), low)
    low = re.sub(r"\bno\b(?=\s*\d)", "No", low)
    return low[:1].upper() + low[1:]


def _act_type(first_line: str) -> str:
    m = re.search(r"\b(regulation|directive|decision)\b", first_line, re.I)
    return m.group(1).lower() if m else ""


def _act_number(first_line: str) -> tuple[str, int, int] | None:
    """(as written, year, number) from the line that names the act."""
    m = _ACT_NO.search(first_line)
    if m:
        a, b = int(m.group(2)), int(m.group(3))
        year, number = (b, a) if m.group(1) else (a, b)  # "No 45/2001" is number/year
        return f"{m.group(2)}/{m.group(3)}", year, number
    m = _OLD_DIRECTIVE_NO.search(first_line)
    if m:
        year = int(m.group(1))
        year += 0 if year > 999 else (1900 if year > 50 else 2000)
        return m.group(0), year, int(m.group(2))
    return None


def _title_date(title: str) -> date | None:
    m = _DATE_IN_TITLE.search(title)
    if not m:
        return None
    try:
        return date(int(m.group(3)), _MONTHS.index(m.group(2).lower()) + 1, int(m.group(1)))
    except ValueError:
        return None


@dataclass
class _Meta:
    title: str
    short_title: str | None
    abbreviation: str | None
    adopted: date | None
    doc_type: str
    celex: str | None
    eli: str | None


def _meta_from_title(
    title_lines: list[str], raw_text: str, number: tuple[int, int] | None = None
) -> _Meta:
    """Metadata from the title lines of the act; `number` (year, number) when the file says so."""
    lines = [ln for ln in (_clean(t) for t in title_lines) if ln and not _EEA.match(ln)]
    if lines:
        lines[0] = _unshout(lines[0])
    title = " ".join(lines)
    first = lines[0] if lines else ""
    kind = _act_type(first)
    found = _act_number(first)
    abbreviation = found[0] if found else None
    if found:
        number = (found[1], found[2])
    if abbreviation is None and number:
        abbreviation = f"{number[0]}/{number[1]}"
    m = _SHORT_TITLE.search(title)
    short = m.group(1).strip() if m and " " in m.group(1) else None
    celex = eli = None
    if number and kind:
        celex = f"3{number[0]}{_CELEX_TYPE[kind]}{number[1]:04d}"
        eli_re = rf"https?://data\.europa\.eu/eli/{_ELI_TYPE[kind]}/{number[0]}/{number[1]}/oj\b"
        eli_m = re.search(eli_re, raw_text)
        eli = eli_m.group(0).replace("https://", "http://") if eli_m else None
    return _Meta(title, short, abbreviation, _title_date(title), kind, celex, eli)


def _document(
    meta: _Meta, sections: list[Section], source_id: str, name: str, fmt: str
) -> Document:
    if not any(s.kind == "article" for s in sections):
        raise LoadError(f"no articles found in {fmt} file {name}")
    url = meta.eli
    if url is None and meta.celex:
        url = f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{meta.celex}"
    return Document(
        source_id=source_id,
        title=meta.title or name,
        sections=sections,
        doc_type="eu_regulation" if meta.doc_type == "regulation" else "other",
        language="en",
        jurisdiction="EU",
        short_title=meta.short_title,
        abbreviation=meta.abbreviation,
        adopted=meta.adopted,
        status="in_force",
        url=url,
        ref_id=meta.celex,
        format=fmt,
    )


def _parse_xml(data: bytes, fmt: str) -> Element:
    """Parse strictly (no DTD, no network); HTML named entities are accepted."""
    if b"&" in data:
        data = re.sub(rb"&([A-Za-z][A-Za-z0-9]*);", _entity_to_ref, data)
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise LoadError(f"malformed XML ({fmt}): {exc}") from None
    if root is None:
        raise LoadError(f"malformed XML ({fmt}): no root element")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname
    return root


def _entity_to_ref(m: re.Match[bytes]) -> bytes:
    name = m.group(1).decode("ascii")
    if name in {"amp", "lt", "gt", "quot", "apos"} or name not in html.entities.name2codepoint:
        return m.group(0)
    return f"&#{html.entities.name2codepoint[name]};".encode("ascii")


def _paragraph_blocks(lines: list[_Line]) -> list[Block]:
    """One block per line (preamble citations)."""
    return [Block(text=ln.text) for ln in _merge_labels(lines)]


def _recital(number: str, lines: list[_Line]) -> Section | None:
    """One block: the recital text without its "(12)"."""
    texts = [ln.text for ln in _merge_labels(lines)]
    if texts:
        texts[0] = _RECITAL_NO.sub("", texts[0])
    texts = [t for t in texts if t]
    if not texts:
        return None
    label = f"Recital {number}"
    return Section(label=label, path=[label], blocks=[Block(text="\n".join(texts))], kind="recital")


_DIVISION_WORDS = ("part", "title", "chapter", "section", "subsection", "sub-section")


def _division_label(text: str) -> str:
    """'CHAPTER III' -> 'Chapter III', 'Section 2' -> 'Section 2'."""
    m = re.match(r"^(\S+)\s+(\S+)", text)
    if m and m.group(1).lower() in _DIVISION_WORDS:
        return f"{m.group(1).capitalize()} {m.group(2).upper()}"
    return text


def _annex_label(text: str, fallback: str) -> str:
    m = re.match(r"^annex(?:\s+([0-9A-Za-z]+))?\b", text, re.I)
    if not m:
        return fallback
    return f"Annex {m.group(1).upper()}" if m.group(1) else "Annex"


# --------------------------------------------------------------------------- EUR-Lex XHTML

_XHTML_BLOCKS = {
    "p", "div", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "dl", "dt", "dd", "section",
    "article", "body", "center", "caption", "pre", "figure",
}  # fmt: skip
_XHTML_NOISE = {"script", "style", "noscript", "head", "col", "colgroup", "hr", "img", "button"}
_NOISE_CLASSES = {
    "modref",
    "arrow",
    "oj-note",
    "footnote",
    "oj-ti-art",
    "ti-art",
    "title-article-norm",
    "eli-title",
}
_HEADING_CLASSES = re.compile(r"^(?:oj-)?ti-grseq|^title-gr-?seq|^oj-ti-tbl")
_ANNEX_TITLE_CLASSES = re.compile(r"doc-ti|title-annex|title-doc")
_ID_SECTION = re.compile(r"^(?:pbl_1|rct_(\d+[a-z]?)|art_(\d+[a-z]?)|anx_?([0-9A-Za-z]*))$")
_ID_DIVISION = re.compile(r"(?:^|\.)(prt|tis|cpt|sct|sbs)_([0-9A-Za-z]+)$")
_DIVISION_NAMES = {
    "prt": "Part",
    "tis": "Title",
    "cpt": "Chapter",
    "sct": "Section",
    "sbs": "Subsection",
}
_ARTICLE_TITLE = {"oj-ti-art", "ti-art", "title-article-norm"}
_ARTICLE_SUBTITLE = {"oj-sti-art", "sti-art", "stitle-article-norm"}
_DIVISION_SUBTITLE = re.compile(r"eli-title|ti-section-2|title-division-2")


class _XhtmlWalker(_Walker):
    def skip(self, el: Element) -> bool:
        if not isinstance(el.tag, str) or el.tag in _XHTML_NOISE:
            return True
        if el.tag == "a" and (el.get("href") or "").startswith("#"):
            return True  # footnote call or back-reference
        return bool(_classes(el) & _NOISE_CLASSES)

    def is_block(self, el: Element) -> bool:
        return el.tag in _XHTML_BLOCKS

    def is_heading(self, el: Element) -> bool:
        return el.tag == "p" and bool(_HEADING_CLASSES.search(el.get("class") or ""))

    def nests(self, el: Element) -> bool:
        return el.tag == "li"

    def point(self, el: Element) -> tuple[str, list[Element]] | None:
        if el.tag == "table":
            return self._table_point(el)
        if "grid-container" in _classes(el):
            label = el.find("div[@class]")
            body = [c for c in el if c is not label]
            if label is not None and "grid-list-column-1" in _classes(label):
                return self.inline_text(label), body
        return None

    def _table_point(self, el: Element) -> tuple[str, list[Element]] | None:
        rows = el.findall("tr") + el.findall("tbody/tr")
        if len(rows) != 1:
            return None
        cells = rows[0].findall("td")
        if len(cells) < 2:
            return None
        label = ""
        for cell in cells[:-1]:
            text = _clean(self.inline_text(cell))
            if text and not _BARE_LABEL.match(text):
                return None
            label = label or text
        return (label, [cells[-1]]) if label else None


def _children(el: Element) -> Iterator[Element]:
    """Element children only (no comments or processing instructions)."""
    return (c for c in el if isinstance(c.tag, str))


def _section(label: str, heading: str, path: list[str], lines: list[_Line], kind: str) -> Section:
    heading = heading.strip("` ")  # one Formex subtitle ends in a stray backtick
    return Section(label=label, heading=heading, path=path, blocks=_group(lines), kind=kind)


def _xhtml_title_lines(root: Element, walker: _Walker) -> list[str]:
    main = next((e for e in root.iter("div") if "eli-main-title" in _classes(e)), None)
    if main is not None:
        return [line.text for line in walker.lines(main)]
    firsts = [e for e in root.iter("p") if _classes(e) & {"oj-doc-ti", "doc-ti", "title-doc-first"}]
    if firsts:
        return [_text_of(e, walker) for e in firsts[:4]]
    return [_text_of(root.find(".//title"), walker)]


def _xhtml_preamble(el: Element, walker: _Walker) -> Section | None:
    lines: list[_Line] = []
    for child in _children(el):
        if not (child.get("id") or "").startswith("rct_"):
            walker.walk(child, 0, lines)
    blocks = _paragraph_blocks(lines)
    if not blocks:
        return None
    return Section(label="Preamble", path=["Preamble"], blocks=blocks, kind="preamble")


def _xhtml_divisions(el: Element) -> list[tuple[Element, str]]:
    """The (element, label) of the parts, chapters and sections that hold `el`, from the top."""
    found = []
    for anc in [el, *el.iterancestors()]:
        m = _ID_DIVISION.search(anc.get("id") or "")
        if m:
            found.append((anc, f"{_DIVISION_NAMES[m.group(1)]} {m.group(2).upper()}"))
    return found[::-1]


def _xhtml_division_title(el: Element, walker: _Walker) -> str:
    for child in _children(el):
        if _DIVISION_SUBTITLE.search(child.get("class") or ""):
            return _text_of(child, walker)
    return ""


def _xhtml_article_lines(el: Element, walker: _Walker) -> list[_Line]:
    lines: list[_Line] = []
    for child in _children(el):
        if walker.skip(child):
            continue
        child_lines = _merge_labels(walker.lines(child))
        if not child_lines or child.tag != "div" or walker.point(child) is not None:
            lines += child_lines
            continue
        first = child_lines[0]
        if first.level == 0 and _PARAGRAPH_NO.match(first.text):
            first.start = True  # a numbered paragraph: <div id="005.001">, <div class="norm">
        elif not child.get("id") and not child.get("class"):
            for line in child_lines:  # quoted text inserted by an amending article
                line.level += 1
        lines += child_lines
    return lines


def _xhtml_article(el: Element, walker: _Walker, number: str) -> Section:
    label, heading = f"Article {number}", ""
    for child in _children(el):
        classes = _classes(child)
        if classes & _ARTICLE_TITLE:
            label = _text_of(child, walker) or label
        elif classes & _ARTICLE_SUBTITLE or "eli-title" in classes:
            heading = heading or _text_of(child, walker)
    path = [lbl for _, lbl in _xhtml_divisions(el)] + [label]
    return _section(label, heading, path, _xhtml_article_lines(el, walker), "article")


def _xhtml_annex(el: Element, walker: _Walker, number: str) -> Section:
    titles: list[str] = []
    lines: list[_Line] = []
    for child in _children(el):
        if not lines and _ANNEX_TITLE_CLASSES.search(child.get("class") or ""):
            titles.append(_text_of(child, walker))
        else:
            walker.walk(child, 0, lines)
    fallback = f"Annex {number}" if number else "Annex"
    label = _annex_label(titles[0] if titles else "", fallback)
    return _section(label, " ".join(titles[1:]), [label], lines, "annex")


def _xhtml_sections(root: Element, walker: _Walker) -> Iterator[Section]:
    for el in root.iter():
        m = _ID_SECTION.match(el.get("id") or "") if isinstance(el.tag, str) else None
        if m is None:
            continue
        section: Section | None
        if m.group(1):
            section = _recital(m.group(1), walker.lines(el))
        elif m.group(2):
            section = _xhtml_article(el, walker, m.group(2))
        elif m.group(0) == "pbl_1":
            section = _xhtml_preamble(el, walker)
        else:
            section = _xhtml_annex(el, walker, m.group(3))
        if section is not None:
            yield section


def _xhtml_division_titles(root: Element, walker: _Walker) -> dict[str, str]:
    """'Chapter III > Section 2' -> its title, for every part, chapter and section."""
    titles: dict[str, str] = {}
    for el in root.iter("div"):
        if _ID_DIVISION.search(el.get("id") or ""):
            title = _xhtml_division_title(el, walker)
            if title:
                titles[" > ".join(lbl for _, lbl in _xhtml_divisions(el))] = title
    return titles


_CONSOLIDATED = re.compile(
    r"\b(0\d{4}[A-Z]\d{4})\s*\W+\s*[A-Z]{2}\s*\W+\s*(\d{2})\.(\d{2})\.(\d{4})"
)


def _consolidation(root: Element, walker: _Walker) -> dict[str, str]:
    """The consolidated version a consolidated-text file shows ("02016R0679 — EN — 04.05.2016")."""
    for el in root.iter("p"):
        if "reference" in _classes(el):
            m = _CONSOLIDATED.search(_text_of(el, walker))
            if m:
                return {
                    "consolidated_celex": f"{m.group(1)}-{m.group(4)}{m.group(3)}{m.group(2)}",
                    "consolidated_date": f"{m.group(4)}-{m.group(3)}-{m.group(2)}",
                }
    return {}


def load_eurlex_xhtml(data: bytes, source_id: str, name: str) -> Document:
    """An EUR-Lex XHTML act (Official Journal or consolidated text) as a `Document`."""
    root = _parse_xml(data, "eurlex-xhtml")
    walker = _XhtmlWalker()
    sections = list(_xhtml_sections(root, walker))
    raw = data.decode("utf-8", errors="replace")
    doc = _document(
        _meta_from_title(_xhtml_title_lines(root, walker), raw),
        sections,
        source_id,
        name,
        "eurlex-xhtml",
    )
    doc.meta.update(_xhtml_division_titles(root, walker))
    consolidated = _consolidation(root, walker)
    if consolidated:
        doc.meta.update(consolidated)
        celex = consolidated["consolidated_celex"]
        doc.url = f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}"
    return doc


# --------------------------------------------------------------------------- Formex

_FMX_BLOCKS = {
    "P", "ALINEA", "LIST", "ITEM", "NP", "TXT", "NO.P", "PARAG", "NO.PARAG", "QUOT.S",
    "GR.SEQ", "TBL", "CORPUS", "ROW", "CELL", "CONTENTS", "TITLE", "TI", "STI", "DLIST",
    "DLIST.ITEM", "TERM", "DEFINITION", "BLK", "GR.TBL", "ARTICLE", "CONSID", "VISA",
    "PREAMBLE.INIT", "PREAMBLE.FINAL", "GR.CONSID.INIT", "GR.VISA", "FINAL", "SIGNATURE",
    "SIGNATORY", "PL.DATE", "TI.ART", "STI.ART", "DIVISION",
}  # fmt: skip
_FMX_NOISE = {"NOTE", "BIB.INSTANCE", "INCL.ELEMENT", "TOC", "GR.NOTES"}
_FMX_QUOTES = {"QUOT.START": "\u2018", "QUOT.END": "\u2019"}
_FMX_LIST_MARKS = {"DASH": "—", "NDASH": "–", "BULLET": "•"}


class _FormexWalker(_Walker):
    def skip(self, el: Element) -> bool:
        return not isinstance(el.tag, str) or el.tag in _FMX_NOISE

    def is_block(self, el: Element) -> bool:
        return el.tag in _FMX_BLOCKS

    def is_heading(self, el: Element) -> bool:
        parent = el.getparent()
        return el.tag == "TITLE" and parent is not None and parent.tag == "GR.SEQ"

    def nests(self, el: Element) -> bool:
        return el.tag == "QUOT.S"

    def child_text(self, child: Element) -> str:
        if isinstance(child.tag, str) and child.tag in _FMX_QUOTES:
            code = child.get("CODE") or ""
            try:
                return chr(int(code, 16))
            except ValueError:
                return _FMX_QUOTES[child.tag]
        text = super().child_text(child)
        if child.tag == "FT" and child.get("TYPE") == "NUMBER" and re.fullmatch(r"\d{5,}", text):
            text = f"{int(text):,}".replace(",", " ")  # 35000000 -> 35 000 000, as printed
        return text

    def point(self, el: Element) -> tuple[str, list[Element]] | None:
        if el.tag == "ITEM":
            np = el.find("NP")
            rest = [c for c in _children(el) if c is not np]
            if np is None:
                parent = el.getparent()
                kind = parent.get("TYPE", "") if parent is not None else ""
                return _FMX_LIST_MARKS.get(kind.upper(), ""), rest
            label, body = self._np(np)
            return label, body + rest
        if el.tag == "NP":
            return self._np(el)
        return None

    def _np(self, np: Element) -> tuple[str, list[Element]]:
        number = np.find("NO.P")
        label = _text_of(number, self)
        return label, [c for c in _children(np) if c is not number]


def _fmx_text(el: Element | None, walker: _Walker) -> str:
    """The text of a block element, its lines joined by spaces."""
    if el is None:
        return ""
    return " ".join(line.text for line in _merge_labels(walker.lines(el)))


def _fmx_preamble(pre: Element, walker: _Walker) -> Iterator[Section]:
    lines: list[_Line] = []
    recitals: list[Section] = []
    for el in pre.iter():
        if el.tag in {"PREAMBLE.INIT", "VISA", "GR.CONSID.INIT", "PREAMBLE.FINAL"}:
            walker.walk(el, 0, lines)
        elif el.tag == "CONSID":
            number = _fmx_text(el.find("NP/NO.P"), walker).strip("()")
            recital = _recital(number or str(len(recitals) + 1), walker.lines(el))
            if recital is not None:
                recitals.append(recital)
    blocks = _paragraph_blocks(lines)
    if blocks:
        yield Section(label="Preamble", path=["Preamble"], blocks=blocks, kind="preamble")
    yield from recitals


def _fmx_divisions(el: Element, walker: _Walker) -> list[tuple[str, str]]:
    """(label, title) of the DIVISIONs that hold `el`, from the top."""
    found = []
    for anc in el.iterancestors("DIVISION"):
        label = _division_label(_fmx_text(anc.find("TITLE/TI"), walker))
        if label:
            found.append((label, _fmx_text(anc.find("TITLE/STI"), walker)))
    return found[::-1]


def _fmx_article(art: Element, walker: _Walker, titles: dict[str, str]) -> Section:
    label = _fmx_text(art.find("TI.ART"), walker) or "Article"
    heading = _fmx_text(art.find("STI.ART"), walker)
    lines: list[_Line] = []
    for child in _children(art):
        if child.tag in {"TI.ART", "STI.ART"}:
            continue
        child_lines = _merge_labels(walker.lines(child))
        if child.tag == "PARAG" and child_lines:
            child_lines[0].start = True
        lines += child_lines
    divisions = _fmx_divisions(art, walker)
    for depth in range(len(divisions)):
        if divisions[depth][1]:
            titles[" > ".join(lbl for lbl, _ in divisions[: depth + 1])] = divisions[depth][1]
    path = [lbl for lbl, _ in divisions] + [label]
    return _section(label, heading, path, lines, "article")


def _fmx_annex(annex: Element, walker: _Walker) -> Section:
    title = annex.find("TITLE/TI")
    titles = [] if title is None else [line.text for line in walker.lines(title)]
    label = _annex_label(titles[0] if titles else "", "Annex")
    heading = _fmx_text(annex.find("TITLE/STI"), walker) or " ".join(titles[1:])
    contents = annex.find("CONTENTS")
    lines = walker.lines(contents) if contents is not None else []
    return _section(label, heading, [label], lines, "annex")


def _fmx_articles(act: Element, walker: _Walker, titles: dict[str, str]) -> list[Section]:
    enacting = act.find("ENACTING.TERMS")
    if enacting is None:
        return []
    return [
        _fmx_article(art, walker, titles)
        for art in enacting.iter("ARTICLE")
        if not any(a.tag == "QUOT.S" for a in art.iterancestors())
    ]


def _fmx_meta(act: Element, walker: _Walker, raw: str) -> _Meta:
    title = act.find("TITLE/TI")
    lines = [] if title is None else [_fmx_text(p, walker) for p in _children(title)]
    number = None
    year, current = (
        act.findtext("BIB.INSTANCE/NO.DOC/YEAR"),
        act.findtext("BIB.INSTANCE/NO.DOC/NO.CURRENT"),
    )
    if year and current and year.strip().isdigit() and current.strip().isdigit():
        number = (int(year), int(current))
    meta = _meta_from_title(lines, raw, number)
    if meta.adopted is None:
        meta.adopted = _formex_date(act.find("BIB.INSTANCE/DATE"))
    return meta


def _formex_date(el: Element | None) -> date | None:
    value = (el.get("ISO") or "") if el is not None else ""
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def load_formex(data: bytes, source_id: str, name: str) -> Document:
    """A Formex act (ACT, or a COMBINED.FMX with the act and its annexes) as a `Document`."""
    root = _parse_xml(data, "formex")
    act = root if root.tag == "ACT" else root.find(".//ACT")
    if act is None:
        raise LoadError(f"no Formex ACT element in {name}")
    walker = _FormexWalker()
    sections: list[Section] = []
    preamble = act.find("PREAMBLE")
    if preamble is not None:
        sections += _fmx_preamble(preamble, walker)
    titles: dict[str, str] = {}
    sections += _fmx_articles(act, walker, titles)
    sections += [_fmx_annex(annex, walker) for annex in root.iter("ANNEX")]
    raw = data.decode("utf-8", errors="replace")
    doc = _document(_fmx_meta(act, walker, raw), sections, source_id, name, "formex")
    doc.meta.update(titles)
    return doc
