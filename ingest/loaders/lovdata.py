"""Loaders for Norwegian laws and regulations from Lovdata.

Two inputs carry the same structure:

* ``lovdata-md``: Lovdata public data converted to Markdown. YAML front matter (``tittel``,
  ``korttittel``, ``refid``, ``ikrafttredelse``, ``sist-endret`` ...), ``#`` for the title,
  ``##``/``###`` for parts and chapters, ``§`` headings at whatever level the law needs, one
  plain paragraph per ledd, ``-`` list items and amendment notes as ``*Endret ved ...*``.
  Laws that incorporate an EU act (personopplysningsloven) carry it inline with its own
  chapters (``KAPITTEL IV``), sections (``Avsnitt 3``) and articles (``Artikkel 35``).
* ``lovdata-xml``: Lovdata's own HTML-like XML (the format of its bulk archives): a header
  ``dl`` with ``dd class="title|titleShort|refid|dateInForce|lastChangeInForce..."``, chapters
  as ``<section>`` with a heading, each § an ``<article class="legalArticle">`` whose ledd are
  ``legalP``/``numberedLegalP`` articles with ``ul``/``ol`` lists and amendment notes in
  ``changesToParent``.

Both produce one `Section` per § or article, labelled the way Lovdata prints it ("§ 28",
"§ 3-5", "§ 11 a", "Artikkel 35"), with the chain of part/chapter labels as its path and one
`Block` per ledd.
"""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import yaml
from lxml import etree

from ingest.loaders.common import (
    BOKMAL_WORDS,
    NYNORSK_WORDS,
    LoadError,
    clean_inline,
    decode_text,
    parse_iso_date,
)
from ingest.model import Block, DocType, Document, Language, Section, Status

# ---------------------------------------------------------------------------------------------
# Labels and headings
# ---------------------------------------------------------------------------------------------

# "§ 28", "§ 3-5", "§ 11 a", "§ 12a.", "§ 8-12a. Tittel", "§15a" (an XML data-name).
_PARAGRAPH = re.compile(
    r"^§\s*(?P<num>\d+)(?:\s*-\s*(?P<sub>\d+))?(?:(?P<space>\s*)(?P<letter>[a-z])(?![a-zæøå]))?",
)
# "§§ 12 til 14. (Opphevet)", "§§ 3-4."
_PARAGRAPHS = re.compile(r"^§§\s*(?P<span>[^.]+?)\s*(?:\.\s|\.$|$)")
# "Artikkel 35. Tittel", "Art 1", "Art. 5"
_ARTICLE = re.compile(r"^(?P<word>Artikkel|Art\.?)\s*(?P<num>\d+\s?[a-z]?)(?![\wæøå])", re.I)

_ROMAN_OR_NUMBER = r"(?:\d+(?:\s?[A-Za-z](?![\wæøåÆØÅ]))?|[IVXLCDM]+)"
_ORDINALS = (
    "første|andre|annen|tredje|fjerde|femte|sjette|sjuande|sjuende|syvende|åttande|åttende|"
    "niande|niende|tiande|tiende|ellevte|tolvte"
)


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    word: str  # the label word, or "" to use the matched text
    kind: str


_WORD_END = r"(?![\wæøåÆØÅ])"


def _numbered(word: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{word})\s+(?P<num>{_ROMAN_OR_NUMBER}){_WORD_END}", re.I)


_STRUCTURE: tuple[_Pattern, ...] = (
    _Pattern(_numbered(r"kapittel|kap\."), "Kapittel", "chapter"),
    _Pattern(_numbered("underkapittel"), "Underkapittel", "chapter"),
    _Pattern(_numbered("del"), "Del", "part"),
    _Pattern(_numbered("underdel"), "Underdel", "part"),
    _Pattern(_numbered("avdeling"), "Avdeling", "part"),
    _Pattern(_numbered("avsnitt"), "Avsnitt", "chapter"),
    _Pattern(_numbered("part"), "Part", "part"),
    _Pattern(
        re.compile(rf"^vedlegg(?:\s*(?P<num>{_ROMAN_OR_NUMBER}))?{_WORD_END}", re.I),
        "Vedlegg",
        "annex",
    ),
    _Pattern(re.compile(rf"^(?P<num>{_ORDINALS})\s+del{_WORD_END}", re.I), "", "part"),
)
# The heading of an EU act carried inside a Norwegian law.
_EU_ACT = re.compile(
    r"(?P<type>forordning|direktiv|beslutning)\w*\s*\((?P<org>EU|EF|EØF)\)\s*(?:nr\.\s*)?"
    r"(?P<num>\d+/\d+)",
    re.I,
)
# Token-final abbreviations that keep their period in a heading.
_KEEP_PERIOD = {"mv.", "jf.", "nr.", "pkt.", "osv.", "mfl.", "m.", "m.fl.", "bl.a."}


def _keeps_period(text: str) -> bool:
    last = text.rsplit(" ", 1)[-1].lower()
    return last in _KEEP_PERIOD or last.count(".") > 1


def clean_heading(text: str) -> str:
    """A heading's title without its trailing period and without enclosing parentheses."""
    text = clean_inline(text).lstrip(".:–- ").strip()
    if text.endswith(")."):
        text = text[:-1]
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        return text[1:-1].strip()
    if text.endswith(".") and not _keeps_period(text):
        return text[:-1].rstrip()
    return text


def paragraph_label(text: str) -> tuple[str, str] | None:
    """(label, rest of the heading) for a § heading, or None.

    The label is written as the heading numbers the section: "§ 28", "§ 3-5", "§ 11 a" with a
    space before the letter when the heading has one, "§ 4c" without when it has none (the
    eval format's rule: uu-forskriften's "§ 4c." is "§ 4c", forvaltningsloven's "§ 11 a." is
    "§ 11 a"). References in questions find the section in either spelling.
    """
    text = clean_inline(text)
    multi = _PARAGRAPHS.match(text)
    if multi:
        return "§§ " + clean_inline(multi.group("span")), text[multi.end() :]
    m = _PARAGRAPH.match(text)
    if not m:
        return None
    label = "§ " + m.group("num")
    if m.group("sub"):
        label += "-" + m.group("sub")
    if m.group("letter"):
        label += (" " if m.group("space") else "") + m.group("letter")
    return label, text[m.end() :]


def leaf_heading(text: str) -> tuple[str, str, str] | None:
    """(label, heading, kind) for a § or an article heading, or None."""
    para = paragraph_label(text)
    if para:
        return para[0], clean_heading(para[1]), "section"
    m = _ARTICLE.match(clean_inline(text))
    if not m:
        return None
    word = "Artikkel" if m.group("word").lower() == "artikkel" else "Art"
    label = f"{word} {clean_inline(m.group('num'))}"
    return label, clean_heading(clean_inline(text)[m.end() :]), "article"


def structure_heading(text: str) -> tuple[str, str, str]:
    """(label, heading, kind) for a part/chapter/annex heading; label "" when unnumbered."""
    text = clean_inline(text)
    for pattern in _STRUCTURE:
        m = pattern.regex.match(text)
        if not m:
            continue
        num = clean_inline(m.group("num") or "")
        if pattern.word:
            label = f"{pattern.word} {num}".strip()
        else:
            label = f"{num[:1].upper()}{num[1:].lower()} del"
        return label, clean_heading(text[m.end() :]), pattern.kind
    eu = _EU_ACT.search(text)
    if eu and eu.start() < 80:
        label = f"{eu.group('type').capitalize()} ({eu.group('org').upper()}) {eu.group('num')}"
        return label, text, "preamble"
    return "", clean_heading(text), "chapter"


# ---------------------------------------------------------------------------------------------
# Metadata shared by both formats
# ---------------------------------------------------------------------------------------------

_DASH = re.compile(r"\s+[–—-]\s+")
_KING = re.compile(
    r"\b(?:kongen|departementet)\s+(?:bestemmer|bestemmar|fastset|fastsetter|fastsett)\b", re.I
)
_ISO_ALL = re.compile(r"\d{4}-\d{2}-\d{2}")
_AMENDMENT_NOTE = re.compile(
    r"^(?:(?:kapitlet|kapittelet|overskriften|overskrifta|paragrafen|forskriften|forskrifta|"
    r"loven|lova|delen|vedlegget|avsnittet)\s+)?(?:endret|endra|endres|endrast|tilføyd|"
    r"tilføydd|tilføyet|tilføya|opphevet|oppheva|oppheves|opphevast|omnummerert)\s+"
    r"(?:ved|med|i)\b",
    re.I,
)
# How a note cites the amending act: "lov 27 mai 2016 nr. 15", "forskrifter 4 april 2014 nr."
_ACT_CITATION = re.compile(r"\b(?:lov|lover|forskrift|forskrifter)\s+\d{1,2}\.?\s+\w+\.?\s+\d{4}\b")


@dataclass
class _Meta:
    """Raw metadata fields, whichever format they came from."""

    title: str
    short: str = ""
    refid: str = ""
    in_force: str = ""
    last_amended_in_force: str = ""
    last_amended_by: str = ""
    dokid: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def split_short_title(korttittel: str) -> tuple[str | None, str | None]:
    """("Offentleglova", "offl") from "Offentleglova – offl"; no abbreviation without a dash."""
    korttittel = clean_inline(korttittel)
    if not korttittel:
        return None, None
    parts = _DASH.split(korttittel, maxsplit=1)
    if len(parts) == 2 and parts[1] and " " not in parts[1].strip():
        return parts[0].strip(), parts[1].strip()
    return korttittel, None


def in_force_status(text: str, today: date | None = None) -> tuple[str, date | None]:
    """(status, first in-force date) from an in-force field such as "2026-01-01, Kongen fastset".

    Not in force when the King (or the ministry) decides and no date is given, or when every
    date lies in the future. A date that has passed means the act is in force, even when some
    provisions still wait for the King.
    """
    today = today or date.today()
    dates = [d for d in (parse_iso_date(s) for s in _ISO_ALL.findall(text)) if d is not None]
    if not dates:
        if _KING.search(text):
            return "not_in_force", None
        return ("in_force" if text.strip() else "unknown"), None
    if min(dates) > today:
        return "not_in_force", dates[0]
    return "in_force", dates[0]


_NYNORSK = NYNORSK_WORDS
_BOKMAL = BOKMAL_WORDS
_NN_NAME = re.compile(r"(?:lova|forskrifta|føresegnene|reglane)\b", re.I)
_NB_NAME = re.compile(r"(?:loven|forskriften|bestemmelsene|reglene)\b", re.I)


def norwegian_variant(title: str, short_title: str, text: str) -> str:
    """'nn' or 'nb' for a Lovdata text, from distinctive words, then from the act's name."""
    words = re.findall(r"[a-zæøåòé]+", text[:60000].lower())
    nn = sum(1 for w in words if w in _NYNORSK)
    nb = sum(1 for w in words if w in _BOKMAL)
    if nn + nb >= 10 and max(nn, nb) >= 2 * min(nn, nb):
        return "nn" if nn > nb else "nb"
    name = f"{short_title} {title}"
    if _NN_NAME.search(name) and not _NB_NAME.search(name):
        return "nn"
    if nn + nb:
        return "nn" if nn > nb else "nb"
    return "nb"


def _doc_type(refid: str, title: str) -> str:
    kind = refid.split("/", 1)[0].lower()
    if kind == "lov" or (not kind and title.lower().startswith("lov ")):
        return "law"
    if kind == "forskrift" or (not kind and title.lower().startswith("forskrift")):
        return "regulation"
    return "other"


def _url(refid: str, dokid: str, doc_type: str) -> str | None:
    if dokid and "/" in dokid:
        return f"https://lovdata.no/dokument/{dokid}"
    if not refid:
        return None
    base = "SF" if doc_type == "regulation" else "NL"
    return f"https://lovdata.no/dokument/{base}/{refid}"


def _build_document(
    meta: _Meta, sections: list[Section], source_id: str, fmt: str, lang_hint: str = ""
) -> Document:
    short, abbreviation = split_short_title(meta.short)
    refid = clean_inline(meta.refid)
    doc_type = _doc_type(refid, meta.title)
    status, in_force_from = in_force_status(meta.in_force)
    last_amended = parse_iso_date(meta.last_amended_in_force) or parse_iso_date(
        meta.last_amended_by
    )
    sample = "\n".join(s.text for s in sections[:60])
    language = lang_hint or norwegian_variant(meta.title, meta.short, sample)
    return Document(
        source_id=source_id,
        title=clean_inline(meta.title),
        sections=sections,
        doc_type=cast(DocType, doc_type),
        language=cast(Language, language),
        jurisdiction="NO",
        short_title=short,
        abbreviation=abbreviation,
        adopted=parse_iso_date(refid),
        in_force_from=in_force_from,
        last_amended=last_amended,
        status=cast(Status, status),
        url=_url(refid, clean_inline(meta.dokid), doc_type),
        ref_id=refid or None,
        format=fmt,
        meta={k: v for k, v in meta.extra.items() if v},
    )


def _require_sections(sections: list[Section], name: str, what: str) -> None:
    if not any(s.label for s in sections):
        raise LoadError(f"{name}: no sections found in {what}")


# ---------------------------------------------------------------------------------------------
# Markdown with YAML front matter
# ---------------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def _front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    if not text.lstrip("\ufeff \t\r\n").startswith("---"):
        raise LoadError(f"{name}: no YAML front matter (expected a leading '---' block)")
    m = _FRONT_MATTER.match(text)
    if not m:
        raise LoadError(f"{name}: front matter is not closed by a '---' line")
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoadError(f"{name}: malformed YAML front matter: {first}") from None
    if not isinstance(data, dict):
        raise LoadError(f"{name}: front matter is not a mapping of fields")
    return data, text[m.end() :]


def _field(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class _Group:
    """An open part/chapter heading: what it contributes to the path below it."""

    level: int
    label: str
    heading: str
    kind: str

    @property
    def name(self) -> str:
        return self.label or self.heading


class _MarkdownBuilder:
    """Turns the Markdown body, heading by heading and paragraph by paragraph, into sections."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.notes: list[str] = []
        self.doc_heading = ""
        self.stack: list[_Group] = []
        self.current: Section | None = None  # the section that takes the next paragraph
        self.leaf_level = 0  # heading level of the current § or article, 0 when none
        self.pending: _Group | None = None  # a group heading that has no text (yet)

    # headings ------------------------------------------------------------------------------

    def heading(self, level: int, text: str) -> None:
        if level == 1 and not self.doc_heading:
            self.doc_heading = clean_inline(text)
            return
        leaf = leaf_heading(text)
        if leaf:
            self._open_leaf(level, *leaf)
            return
        label, heading, kind = structure_heading(text)
        if self.leaf_level and level > self.leaf_level and not label and self.current:
            # An unnumbered sub-heading inside a § is part of its text.
            self.current.blocks.append(Block(text=clean_inline(text)))
            return
        self._pop(level)
        group = _Group(level, label, heading, kind)
        self.stack.append(group)
        self.pending, self.current, self.leaf_level = group, None, 0

    def _pop(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()

    def _open_leaf(self, level: int, label: str, heading: str, kind: str) -> None:
        self._pop(level)
        path = [g.name for g in self.stack] + [label]
        self.current = Section(label=label, heading=heading, path=path, kind=kind)
        self.sections.append(self.current)
        self.pending, self.leaf_level = None, level

    # paragraphs ----------------------------------------------------------------------------

    def paragraph(self, lines: list[str]) -> None:
        lines = [clean_inline(line) for line in lines]
        lines = [line for line in lines if line]
        if not lines:
            return
        text = "\n".join(lines)
        is_list = all(line.startswith(("- ", "* ")) for line in lines)
        if is_list:
            text = "\n".join("- " + line[2:].strip() for line in lines)
        elif _is_italic(text):
            text = clean_inline(text[1:-1])
            if _AMENDMENT_NOTE.match(text):
                self._note(text)
                return
        elif _AMENDMENT_NOTE.match(text) and _ACT_CITATION.search(text):
            self._note(text)  # a note printed without emphasis, e.g. under a chapter heading
            return
        target = self._target()
        if is_list and target.blocks:
            target.blocks[-1].text += "\n" + text
        elif text:
            target.blocks.append(Block(text=text))

    def _note(self, note: str) -> None:
        where = self.current.label if self.current else (self.pending.name if self.pending else "")
        self.notes.append(f"{where}: {note}" if where else note)

    def _target(self) -> Section:
        if self.current is not None:
            return self.current
        if self.pending is not None:
            group = self.pending
            path = [g.name for g in self.stack]
            self.current = Section(
                label=group.label, heading=group.heading, path=path, kind=group.kind
            )
        else:
            self.current = Section(label="", heading="", path=[], kind="preamble")
        self.sections.append(self.current)
        self.pending = None
        return self.current


def _is_italic(text: str) -> bool:
    return len(text) > 2 and text[0] == "*" and text[-1] == "*" and text[:2] != "**"


def _parse_markdown_body(body: str) -> _MarkdownBuilder:
    builder = _MarkdownBuilder()
    buffer: list[str] = []
    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = _HEADING.match(raw)
        if m or not raw.strip():
            builder.paragraph(buffer)
            buffer = []
            if m:
                builder.heading(len(m.group(1)), m.group(2))
            continue
        buffer.append(raw)
    builder.paragraph(buffer)
    return builder


def load_lovdata_markdown(data: bytes, source_id: str, name: str) -> Document:
    """Parse a Lovdata law or regulation in Markdown with YAML front matter."""
    text = decode_text(data)
    front, body = _front_matter(text, name)
    builder = _parse_markdown_body(body)
    _require_sections(builder.sections, name, "Lovdata Markdown")
    meta = _Meta(
        title=_field(front, "tittel") or builder.doc_heading or name,
        short=_field(front, "korttittel"),
        refid=_field(front, "refid"),
        in_force=_field(front, "ikrafttredelse"),
        last_amended_in_force=_field(front, "sist-endret-ikrafttredelse"),
        last_amended_by=_field(front, "sist-endret"),
    )
    for key in ("eli", "departement", "rettsomrade", "ikrafttredelse", "sist-endret"):
        meta.extra[key] = _field(front, key)
    meta.extra["amendment_notes"] = "\n".join(builder.notes)
    return _build_document(meta, builder.sections, source_id, "lovdata-md")


# ---------------------------------------------------------------------------------------------
# Lovdata XML
# ---------------------------------------------------------------------------------------------

_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_DECL = re.compile(r"\A\s*<\?xml[^>]*\?>")
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOTE_CLASSES = {"changesToParent", "changesToParentInline"}
_CONTAINER_CLASSES = {
    "document-change",
    "change",
    "futureLegalArticle",
    "legalArticle",
    "section",
    "listArticle",
}
_ATTACHED = "\x00"  # marks a piece that continues the previous ledd (a list, leddfortsettelse)


def _html_entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    return html.entities.html5.get(name + ";", m.group(0))


def _parse_xml(data: bytes, name: str) -> Any:
    text = _XML_DECL.sub("", decode_text(data), count=1)
    text = _ENTITY.sub(_html_entity, text)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "syntax error"
        raise LoadError(f"{name}: malformed Lovdata XML: {first}") from None
    if root is None:
        raise LoadError(f"{name}: empty Lovdata XML")
    return root


def _tag(el: Any) -> str:
    if not isinstance(el.tag, str):
        return ""
    return str(etree.QName(el).localname).lower()


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def _text(el: Any) -> str:
    return clean_inline("".join(el.itertext()))


def _find_class(root: Any, tag: str, cls: str) -> Any:
    for el in root.iter():
        if _tag(el) == tag and cls in _classes(el):
            return el
    return None


def _header_fields(root: Any) -> dict[str, str]:
    """The `dd` fields of the document header, keyed by class."""
    header = next((el for el in root.iter() if _tag(el) == "header"), root)
    fields: dict[str, str] = {}
    for dd in header.iter():
        if _tag(dd) != "dd" or not dd.get("class"):
            continue
        items = [_text(li) for li in dd.iter() if _tag(li) == "li"]
        value = "; ".join(i for i in items if i) if items else _text(dd)
        fields.setdefault(dd.get("class").split()[0], value)
    return fields


def _render(el: Any, notes: list[str]) -> list[str]:
    """The lines of one ledd: its text, then list items as "- " lines, continuations after."""
    lines = [el.text or ""]
    for child in el:
        tag, cls = _tag(child), _classes(child)
        if not tag or tag == "footer":
            pass
        elif cls & _NOTE_CLASSES:
            notes.append(_text(child))
        elif tag in {"ul", "ol"}:
            lines.extend(_list_lines(child, notes))
            lines.append("")
        elif tag == "table":
            lines.extend(_table_lines(child))
            lines.append("")
        elif tag == "br":
            lines.append("")
        elif tag in {"p", "div", "article", "section", "blockquote"} | _HEADING_TAGS:
            lines.extend(_render(child, notes))
            lines.append("")
        else:
            lines[-1] += "".join(child.itertext())
        lines[-1] += child.tail or ""
    cleaned = (clean_inline(line) for line in lines)
    return [line for line in cleaned if line]


def _list_lines(el: Any, notes: list[str]) -> list[str]:
    out: list[str] = []
    for li in el:
        if _tag(li) != "li":
            continue
        lines = _render(li, notes)
        if not lines:
            continue
        marker = clean_inline(li.get("data-name") or "")
        first = f"- {marker} {lines[0]}" if marker else f"- {lines[0]}"
        out.append(first)
        out.extend("  " + line for line in lines[1:])
    return out


def _table_lines(el: Any) -> list[str]:
    rows = []
    for tr in el.iter():
        if _tag(tr) == "tr":
            cells = [_text(c) for c in tr if _tag(c) in {"td", "th"}]
            if any(cells):
                rows.append(" | ".join(cells))
    return rows


def _pieces(el: Any, notes: list[str]) -> list[str]:
    """Ledd-level pieces of a container, in order; list pieces are marked as attached."""
    tag, cls = _tag(el), _classes(el)
    if not tag or tag == "footer":
        return []
    if cls & _NOTE_CLASSES:
        notes.append(_text(el))
        return []
    if tag in {"ul", "ol"} or "leddfortsettelse" in cls:
        lines = _list_lines(el, notes) if tag in {"ul", "ol"} else _render(el, notes)
        return [_ATTACHED + "\n".join(lines)] if lines else []
    if cls & _CONTAINER_CLASSES or (tag in {"div", "section"} and not cls):
        out: list[str] = [clean_inline(el.text or "")] if clean_inline(el.text or "") else []
        for child in el:
            out.extend(_pieces(child, notes))
            if clean_inline(child.tail or ""):
                out.append(_ATTACHED + clean_inline(child.tail or ""))
        return out
    lines = _render(el, notes)
    return ["\n".join(lines)] if lines else []


def _merge(pieces: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for piece in pieces:
        if piece.startswith(_ATTACHED):
            text = piece[len(_ATTACHED) :]
            if blocks:
                blocks[-1].text += "\n" + text
            elif text:
                blocks.append(Block(text=text))
        elif piece:
            blocks.append(Block(text=piece))
    return blocks


def _heading_child(el: Any) -> Any:
    for child in el:
        tag = _tag(child)
        if tag in _HEADING_TAGS or any(c.endswith("Header") for c in _classes(child)):
            return child
        if tag and tag not in {"a", "span"}:
            return None
    return None


def _article_label(el: Any, header: Any) -> tuple[str, str, str]:
    value = title = None
    if header is not None:
        value = _find_class(header, "span", "legalArticleValue")
        title = _find_class(header, "span", "legalArticleTitle")
    raw = _text(value) if value is not None else (el.get("data-name") or "")
    if value is None and header is not None:
        raw = _text(header)
    leaf = leaf_heading(raw)
    if leaf is None:
        return clean_inline(raw), "", "section"
    label, heading, kind = leaf
    if title is not None:
        heading = clean_heading(_text(title))
    return label, heading, kind


class _XmlBuilder:
    """Walks the document body: sections give the path, legalArticles give the sections."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.notes: list[str] = []

    def container(self, el: Any, group: _Group, path: list[str], skip: Any = None) -> None:
        own: Section | None = None
        for child in el:
            tag, cls = _tag(child), _classes(child)
            if not tag or child is skip or tag in {"h1", "header", "footer"}:
                continue
            if tag == "section" or "section" in cls:
                self.section(child, path)
            elif "legalArticle" in cls:
                self.article(child, path)
            elif tag in {"main", "body", "div"} and not cls:
                self.container(child, group, path)
            else:
                blocks = _merge(_pieces(child, self.notes))
                if not blocks:
                    continue
                if own is None:
                    own = Section(
                        label=group.label, heading=group.heading, path=path, kind=group.kind
                    )
                    self.sections.append(own)
                own.blocks.extend(blocks)

    def section(self, el: Any, path: list[str]) -> None:
        header = _heading_child(el)
        text = _text(header) if header is not None else ""
        label, heading, kind = structure_heading(text) if text else ("", "", "chapter")
        if not label and not heading:
            label = _label_from_data_name(el.get("data-name") or "")
        group = _Group(0, label, heading, kind)
        self.container(el, group, [*path, group.name] if group.name else path, skip=header)

    def article(self, el: Any, path: list[str]) -> None:
        header = _heading_child(el)
        label, heading, kind = _article_label(el, header)
        notes: list[str] = []
        pieces: list[str] = []
        for child in el:
            if child is not header:
                pieces.extend(_pieces(child, notes))
        self.notes.extend(f"{label}: {n}" for n in notes if n)
        section = Section(
            label=label, heading=heading, path=[*path, label], kind=kind, blocks=_merge(pieces)
        )
        self.sections.append(section)


_DATA_NAME = re.compile(r"^(kap|del|underkap|underdel|vedlegg|avsnitt)(\w*)$", re.I)
_DATA_NAME_WORDS = {
    "kap": "Kapittel",
    "underkap": "Underkapittel",
    "del": "Del",
    "underdel": "Underdel",
    "vedlegg": "Vedlegg",
    "avsnitt": "Avsnitt",
}


def _label_from_data_name(value: str) -> str:
    m = _DATA_NAME.match(value)
    if not m:
        return ""
    return f"{_DATA_NAME_WORDS[m.group(1).lower()]} {m.group(2)}".strip()


def load_lovdata_xml(data: bytes, source_id: str, name: str) -> Document:
    """Parse a law or regulation in Lovdata's XML (single file or bulk-archive member)."""
    root = _parse_xml(data, name)
    fields = _header_fields(root)
    body = _find_class(root, "main", "documentBody")
    if body is None:
        body = next((el for el in root.iter() if _tag(el) in {"main", "body"}), root)
    builder = _XmlBuilder()
    builder.container(body, _Group(0, "", "", "preamble"), [])
    _require_sections(builder.sections, name, "Lovdata XML")
    title_el = next((el for el in root.iter() if _tag(el) in {"title", "h1"}), None)
    meta = _Meta(
        title=fields.get("title") or (_text(title_el) if title_el is not None else "") or name,
        short=fields.get("titleShort", ""),
        refid=fields.get("refid", ""),
        in_force=fields.get("dateInForce", ""),
        last_amended_in_force=fields.get("lastChangeInForce", ""),
        last_amended_by=fields.get("lastChangedBy", ""),
        dokid=fields.get("dokid", ""),
    )
    for key in ("legacyID", "ministry", "legalArea", "dateInForce", "dateOfPublication"):
        meta.extra[key] = fields.get(key, "")
    meta.extra["lastChangedBy"] = fields.get("lastChangedBy", "")
    meta.extra["amendment_notes"] = "\n".join(builder.notes)
    lang = (root.get("lang") or "").lower()
    return _build_document(
        meta, builder.sections, source_id, "lovdata-xml", lang if lang == "nn" else ""
    )


__all__ = [
    "clean_heading",
    "in_force_status",
    "leaf_heading",
    "load_lovdata_markdown",
    "load_lovdata_xml",
    "norwegian_variant",
    "paragraph_label",
    "split_short_title",
    "structure_heading",
]
