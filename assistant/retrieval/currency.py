"""Which version of a rule applies on a date: in force from, repealed or replaced on, not yet in
force, and what replaces what.

Built once per index generation from what the index holds (each chunk's metadata and text) and
from two fact files we write ourselves:

- the document's own metadata: `status` and `in_force_from` from Lovdata's front matter or XML
  header ("Kongen bestemmer" without a date: not in force until the King decides), and
  `repealed_from` / `replaces` from a Markdown front matter (circulars, guidance, templates);
- the text of Norwegian laws and regulations: "Fra den tiden loven trer i kraft, oppheves lov
  10. februar 1967 …" makes the newer act replace the older one from the newer act's in-force
  date; a commencement note "Frå 1. januar 2026 for §§ 1 til 10 og §§ 12 til 25" puts those
  sections in force from that date and leaves the others waiting for the King;
- `knowledge/sources.yaml`: `in_force_from`, `repealed_from` and `replaces` for what the
  sources do not say themselves (matched by ref_id or file name);
- `knowledge/eu-application-dates.yaml`: the dates from which each article of an EU act applies
  (the AI Act's staged application in its Article 113).

`Currency.validity(position, as_of, tenants)` answers for one chunk; relations only ever run
between documents the asking tenant can see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

MONTHS = {
    "jan": 1, "januar": 1, "feb": 2, "februar": 2, "mar": 3, "mars": 3, "apr": 4, "april": 4,
    "mai": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "okt": 10, "oktober": 10, "nov": 11, "november": 11, "des": 12,
    "desember": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = rf"(?P<day>\d{{1,2}})\.?\s+(?P<month>{_MONTH})\.?\s+(?P<year>\d{{4}})"
# "lov 4. desember 1992 nr. 126", "forskrift 7. april 2017 nr. 403", "lov 10. februar 1967"
_ACT = re.compile(rf"\b(?P<kind>lov|forskrift)\s+{_DATE}(?:\s+nr\.?\s*(?P<nr>\d+))?", re.IGNORECASE)
_REPEAL_WORD = re.compile(r"\bopphev(?:es|ast|a|et|ede)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[a-zæøå)\]])[.;]\s+(?=[A-ZÆØÅ(])|\n+")
# "Frå 1. januar 2026 for §§ 1 til 10 og §§ 12 til 25 iflg. res. …"
_COMMENCEMENT = re.compile(
    rf"\b(?:fra|frå)\s+{_DATE}\s+for\s+(?P<what>§.+?)(?=\s+(?:iflg|jf|ifølge|etter)\b|\.\s|$)",
    re.IGNORECASE,
)
_SPAN = re.compile(
    r"(?P<a>\d+(?:-\d+)?)(?:\s*(?P<al>[a-z])\b)?(?:\s*(?:til|–|-)\s*(?:§\s*)?(?P<b>\d+(?:-\d+)?))?"
)
_LABEL_NUMBER = re.compile(r"^§ (\d+)(?:-(\d+))? ?([a-z])?$")
_ARTICLE = re.compile(r"^(?:Article|Artikkel|Art) (\d+)")
_YEAR = re.compile(r"(\d{4})-\d{2}-\d{2}")


def parse_norwegian_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), MONTHS[month.lower().rstrip(".")], int(day))
    except (KeyError, ValueError):
        return None


def act_ref(match: re.Match[str]) -> str | None:
    """'lov/1992-12-04-126' (Lovdata's ref_id) from a citation such as 'lov 4. desember 1992 nr.
    126'; the number is left out when the citation has none (older laws: 'lov/1967-02-10')."""
    day = parse_norwegian_date(match.group("day"), match.group("month"), match.group("year"))
    if day is None:
        return None
    ref = f"{match.group('kind').lower()}/{day.isoformat()}"
    return f"{ref}-{match.group('nr')}" if match.group("nr") else ref


def repealed_acts(text: str) -> list[str]:
    """The acts a provision repeals: ref_ids of every act cited in a sentence that says
    "oppheves" / "blir … oppheva" (Lovdata's wording in the new act's final provisions)."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if not _REPEAL_WORD.search(sentence):
            continue
        for m in _ACT.finditer(sentence):
            ref = act_ref(m)
            if ref and ref not in out:
                out.append(ref)
    return out


@dataclass(frozen=True)
class Span:
    """A run of § numbers: '§§ 1 til 10' -> (1, 10); '§ 3-5' -> chapter 3, 5 to 5."""

    chapter: int | None
    first: int
    last: int
    letter: str | None = None

    def covers(self, label: str) -> bool:
        m = _LABEL_NUMBER.match(label)
        if not m:
            return False
        if m.group(2) is None:
            chapter, number = None, int(m.group(1))
        else:
            chapter, number = int(m.group(1)), int(m.group(2))
        if chapter != self.chapter or not self.first <= number <= self.last:
            return False
        if self.letter and self.first == self.last:
            return m.group(3) == self.letter
        return True


def _number(text: str) -> tuple[int | None, int]:
    if "-" in text:
        a, b = text.split("-", 1)
        return int(a), int(b)
    return None, int(text)


def commencements(text: str) -> list[tuple[date, list[Span]]]:
    """Commencement notes that put some sections in force from a date."""
    out = []
    for m in _COMMENCEMENT.finditer(text):
        day = parse_norwegian_date(m.group("day"), m.group("month"), m.group("year"))
        if day is None:
            continue
        spans = []
        for s in _SPAN.finditer(m.group("what")):
            chapter, first = _number(s.group("a"))
            last = first
            if s.group("b"):
                chapter_b, last = _number(s.group("b"))
                if chapter_b != chapter:
                    continue
            spans.append(Span(chapter, first, last, s.group("al")))
        if spans:
            out.append((day, spans))
    return out


# ---------------------------------------------------------------------------------------------
# Facts we write: EU application dates and the sources catalogue
# ---------------------------------------------------------------------------------------------


@dataclass
class EuAct:
    """An EU act's application dates, article by article."""

    ref_id: str
    number: str
    names: dict[str, str]
    entry_into_force: date
    applies_from: date
    provision: str
    eea_note: bool
    articles: dict[int, date] = field(default_factory=dict)  # articles off the general date
    parts: dict[int, list[tuple[str, date]]] = field(default_factory=dict)

    def article_date(self, n: int) -> date:
        return self.articles.get(n, self.applies_from)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("nb") or self.number


def _as_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _stage_articles(stage: Mapping[str, Any], chapters: Mapping[str, list[int]]) -> set[int]:
    out: set[int] = set()
    for chapter in stage.get("chapters") or []:
        first, last = chapters[str(chapter)]
        out |= set(range(int(first), int(last) + 1))
    for span in (stage.get("sections") or {}).values():
        out |= set(range(int(span[0]), int(span[1]) + 1))
    out |= {int(a) for a in stage.get("articles") or []}
    return out - {int(a) for a in stage.get("except") or []}


def load_eu_dates(path: Path) -> list[EuAct]:
    """Read knowledge/eu-application-dates.yaml. Raises ValueError naming a bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    acts = []
    for raw in data.get("acts") or []:
        where = f"{path.name}: {raw.get('number', '?')}"
        chapters = {str(k): list(v) for k, v in (raw.get("chapters") or {}).items()}
        act = EuAct(
            ref_id=str(raw["ref_id"]),
            number=str(raw["number"]),
            names={str(k): str(v) for k, v in (raw.get("name") or {}).items()},
            entry_into_force=_as_date(raw["entry_into_force"], where),
            applies_from=_as_date(raw["applies_from"], where),
            provision=str(raw.get("provision") or ""),
            eea_note=bool(raw.get("eea_note")),
        )
        for stage in raw.get("stages") or []:
            start = _as_date(stage["from"], where)
            try:
                for n in _stage_articles(stage, chapters):
                    act.articles[n] = start
            except KeyError as exc:
                raise ValueError(f"{where}: unknown chapter {exc}") from None
            for part in stage.get("parts") or []:
                m = re.match(r"^(\d+)", str(part))
                if m:
                    act.parts.setdefault(int(m.group(1)), []).append((str(part), start))
        acts.append(act)
    return acts


@dataclass(frozen=True)
class CatalogueFacts:
    """What knowledge/sources.yaml says about a source's dates and what it replaces."""

    ref_id: str | None
    file: str | None
    in_force_from: date | None
    repealed_from: date | None
    replaces: str | None  # a ref_id


def catalogue_facts(path: Path) -> list[CatalogueFacts]:
    from ingest.pull import load_catalogue

    entries = load_catalogue(path)
    refs = {e.id: e.ref_id for e in entries}
    out = []
    for e in entries:
        if not (e.in_force_from or e.repealed_from or e.replaces):
            continue
        replaces = refs.get(e.replaces, e.replaces) if e.replaces else None
        out.append(
            CatalogueFacts(
                ref_id=e.ref_id,
                file=e.file,
                in_force_from=date.fromisoformat(e.in_force_from) if e.in_force_from else None,
                repealed_from=date.fromisoformat(e.repealed_from) if e.repealed_from else None,
                replaces=replaces,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Per document, and the answer for a date
# ---------------------------------------------------------------------------------------------

Key = tuple[str, str]  # (tenant, source_id)


@dataclass
class DocFacts:
    key: Key
    name: str  # short title or title
    abbreviation: str
    doc_type: str
    ref_id: str
    status: str
    year: str | None
    in_force_from: date | None = None
    repealed_from: date | None = None
    replaces: set[str] = field(default_factory=set)  # ref_ids, source ids or names
    commencement: list[tuple[date, Span]] = field(default_factory=list)
    eu: EuAct | None = None

    @property
    def pending(self) -> bool:
        """Adopted, but not in force and no date known ("Kongen bestemmer")."""
        return self.status == "not_in_force" and self.in_force_from is None

    def in_force_on(self, day: date) -> bool | None:
        """In force on `day` by its own dates (not counting what replaces it)."""
        if self.pending:
            return False
        if self.eu is not None and day < self.eu.entry_into_force:
            return False
        if self.in_force_from is not None:
            return self.in_force_from <= day
        if self.status == "in_force":
            return True
        return None


@dataclass(frozen=True)
class Validity:
    """Whether a chunk's text applies on a date, and if not, what applies instead."""

    state: str  # in_force | not_in_force | repealed | unknown
    scope: str = "document"  # document | section | article
    since: date | None = None  # in force (or applicable) from; repealed from
    pending: bool = False  # not in force and no date known
    applicable: Key | None = None  # the version that applies instead (or the replacement)
    parts: tuple[tuple[str, date], ...] = ()  # parts of an EU article with their own date
    eu: EuAct | None = field(default=None, repr=False, compare=False)

    @property
    def applies(self) -> bool:
        return self.state in {"in_force", "unknown"}


def _key(meta: Mapping[str, Any]) -> Key:
    return str(meta.get("tenant", "")), str(meta.get("source_id", ""))


def _parse_iso(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class Currency:
    """The currency facts of every indexed document (see the module docstring)."""

    def __init__(
        self,
        metas: Sequence[Mapping[str, Any]],
        texts: Sequence[str],
        eu_acts: Iterable[EuAct] = (),
        catalogue: Iterable[CatalogueFacts] = (),
    ) -> None:
        self.docs: dict[Key, DocFacts] = {}
        self.positions: list[Key] = []
        eu = list(eu_acts)
        for i, meta in enumerate(metas):
            key = _key(meta)
            self.positions.append(key)
            doc = self.docs.get(key) or self._new(key, meta, eu)
            self.docs[key] = doc
            lovdata = str(meta.get("format", "")).startswith("lovdata")
            if lovdata and doc.doc_type in {"law", "regulation"}:
                text = texts[i]
                if _REPEAL_WORD.search(text):
                    doc.replaces.update(repealed_acts(text))
                if "for §" in text:
                    for day, spans in commencements(text):
                        doc.commencement += [(day, s) for s in spans]
        self._apply_catalogue(list(catalogue))
        self._older: dict[Key, list[Key]] = {}
        self._newer: dict[Key, list[Key]] = {}
        self._relate()

    def _relate(self) -> None:
        """(newer, older) for every "replaces" that names an indexed document; a pair counts
        for a tenant only when it sees both documents."""
        by_ref: dict[str, list[Key]] = {}
        for key, doc in self.docs.items():
            for ref in {doc.ref_id, key[1], PurePosixPath(key[1]).name, doc.name.lower()}:
                if ref:
                    by_ref.setdefault(ref, []).append(key)
        for key, doc in self.docs.items():
            for ref in sorted(doc.replaces):
                for old in by_ref.get(ref) or by_ref.get(ref.lower()) or []:
                    if old != key and old not in self._older.get(key, []):
                        self._older.setdefault(key, []).append(old)
                        self._newer.setdefault(old, []).append(key)

    @staticmethod
    def _new(key: Key, meta: Mapping[str, Any], eu: list[EuAct]) -> DocFacts:
        ref_id = str(meta.get("ref_id") or "")
        abbreviation = str(meta.get("abbreviation") or "")
        year = _YEAR.search(ref_id) or _YEAR.search(str(meta.get("adopted") or ""))
        act = next((a for a in eu if ref_id == a.ref_id or abbreviation == a.number), None)
        doc = DocFacts(
            key=key,
            name=str(meta.get("short_title") or meta.get("title") or key[1]),
            abbreviation=abbreviation,
            doc_type=str(meta.get("doc_type", "other")),
            ref_id=ref_id,
            status=str(meta.get("status", "unknown")),
            year=year.group(1) if year else None,
            in_force_from=_parse_iso(meta.get("in_force_from")),
            repealed_from=_parse_iso(meta.get("repealed_from")),
            eu=act,
        )
        if act is not None and doc.in_force_from is None:
            doc.in_force_from = act.entry_into_force
        replaces = str(meta.get("replaces") or "")
        doc.replaces.update(r.strip() for r in replaces.split("|") if r.strip())
        return doc

    def _apply_catalogue(self, facts: list[CatalogueFacts]) -> None:
        for doc in self.docs.values():
            name = PurePosixPath(doc.key[1]).name
            for f in facts:
                if not ((f.ref_id and f.ref_id == doc.ref_id) or (f.file and f.file == name)):
                    continue
                if f.in_force_from and doc.in_force_from is None and not doc.pending:
                    doc.in_force_from = f.in_force_from
                if f.repealed_from and doc.repealed_from is None:
                    doc.repealed_from = f.repealed_from
                if f.replaces:
                    doc.replaces.add(f.replaces)

    # -- relations ---------------------------------------------------------------------------

    def replaced_by(self, key: Key, tenants: frozenset[str]) -> list[Key]:
        """The visible documents that say they replace `key`."""
        return [k for k in self._newer.get(key, []) if k[0] in tenants and key[0] in tenants]

    def replaces(self, key: Key, tenants: frozenset[str]) -> list[Key]:
        """The visible documents `key` says it replaces."""
        return [k for k in self._older.get(key, []) if k[0] in tenants and key[0] in tenants]

    # -- the answer for a date ---------------------------------------------------------------

    def doc_validity(self, key: Key, day: date, tenants: frozenset[str]) -> Validity:
        doc = self.docs.get(key)
        if doc is None:
            return Validity("unknown")
        newer = self.replaced_by(key, tenants)
        for new in newer:
            if self.docs[new].in_force_on(day) and self.docs[new].in_force_from is not None:
                return Validity("repealed", since=self.docs[new].in_force_from, applicable=new)
        replacement = next((k for k in newer if self.docs[k].in_force_on(day)), None)
        if doc.repealed_from is not None and doc.repealed_from <= day:
            return Validity("repealed", since=doc.repealed_from, applicable=replacement)
        if doc.status == "repealed" and doc.repealed_from is None:
            return Validity("repealed", applicable=replacement)
        own = doc.in_force_on(day)
        if own is False:
            older = next(
                (k for k in self.replaces(key, tenants) if self.docs[k].in_force_on(day)), None
            )
            since = None if doc.pending else doc.in_force_from
            return Validity("not_in_force", since=since, pending=doc.pending, applicable=older)
        if own is None:
            return Validity("unknown", since=doc.in_force_from)
        return Validity("in_force", since=doc.in_force_from, eu=doc.eu)

    def section_validity(
        self, key: Key, label: str, day: date, tenants: frozenset[str]
    ) -> Validity:
        """The validity of one section: the document's, narrowed by a commencement note or by
        an EU act's staged application."""
        whole = self.doc_validity(key, day, tenants)
        doc = self.docs.get(key)
        if doc is None or whole.state != "in_force":
            return whole
        if doc.eu is not None:
            m = _ARTICLE.match(label)
            if not m:
                return whole
            n = int(m.group(1))
            start = doc.eu.article_date(n)
            parts = tuple(doc.eu.parts.get(n, ()))
            state = "in_force" if start <= day else "not_in_force"
            return Validity(state, "article", since=start, parts=parts, eu=doc.eu)
        if doc.commencement and label.startswith("§"):
            dates = [d for d, span in doc.commencement if span.covers(label)]
            if not dates:
                return Validity("not_in_force", "section", pending=True)
            start = min(dates)
            if start > day:
                return Validity("not_in_force", "section", since=start)
            return Validity("in_force", "section", since=start)
        return whole

    def validity(self, position: int, label: str, day: date, tenants: frozenset[str]) -> Validity:
        return self.section_validity(self.positions[position], label, day, tenants)

    # -- names -------------------------------------------------------------------------------

    def version_label(self, key: Key, tenants: frozenset[str]) -> str | None:
        """The year that tells two indexed versions of one act apart ('1992', '2025'), when
        another visible document carries the same name; else None."""
        doc = self.docs.get(key)
        if doc is None or not doc.year:
            return None
        name = doc.name.lower()
        for other in self.docs.values():
            if other.key != key and other.key[0] in tenants and other.name.lower() == name:
                return doc.year
        return None


def label_numbers(labels: Iterable[str]) -> list[str]:
    return [label for label in labels if _LABEL_NUMBER.match(label)]


__all__ = [
    "CatalogueFacts",
    "Currency",
    "DocFacts",
    "EuAct",
    "Validity",
    "act_ref",
    "catalogue_facts",
    "commencements",
    "load_eu_dates",
    "repealed_acts",
]
