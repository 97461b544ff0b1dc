"""Explicit references in a question ("offl. § 28", "GDPR art. 6 nr. 1 bokstav f",
"art. 50 KI-forordningen", "vedlegg III") resolved to the sections that carry them.

Law names and abbreviations are learned from the indexed documents' short titles
("Offentleglova – offl"); the names of the EU acts in Norwegian and English are settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch

from assistant.retrieval.lexical import DocInfo

_SECTION = re.compile(r"§§?\s*(\d+(?:\s?-\s?\d+)?)(?:\s?([a-zA-Z])\b(?![-.]\s?\d))?")
_ARTICLE = re.compile(
    r"\b(?:art(?:ikkel|ikel|icle)?s?|art)\.?\s*(\d{1,3})(?:\s*\(\d+\)|\s*nr\.?\s*\d+)?",
    re.IGNORECASE,
)
_RECITAL = re.compile(
    r"\b(?:recital|fortalepunkt|fortale(?:n)?\s*(?:punkt|avsnitt)?|betraktning)\s*\(?(\d{1,3})\)?",
    re.IGNORECASE,
)
# Roman numerals in upper case only: "vedlegg i e-post" is an attachment, not Annex I.
_ANNEX = re.compile(r"\b(?i:annex|vedlegg|vedlegget)\s+([IVXLC]{1,6}|\d{1,2})\b")


def to_roman(n: int) -> str:
    out = []
    for value, sym in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                       (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


@dataclass(frozen=True)
class Reference:
    """One resolved reference: a section label in one source."""

    source_id: str
    label: str
    text: str  # the words in the question it came from
    explicit_law: bool  # the question named the law (not only the §)


# A law named in the singular: a word ending in lov/loven/lova/lovens/lovas with something in
# front ('plan- og bygningsloven', 'KI-loven'); plurals and the bare word are general words.
_LAW_NAME = re.compile(
    r"(?<![\w-])((?:[a-zæøå]+-\s+og\s+)?[a-zæøå][a-zæøå-]*?[a-zæøå-]lov(?:en|a|ens|as)?)"
    r"(?![\w-])",
    re.IGNORECASE,
)


# EU acts a municipal question may name that the default sources do not hold; a name the
# sources do hold (an ingested act's alias) is resolved before this is looked at
_EU_ELSEWHERE = re.compile(
    r"(?<![\w-])(?:NIS ?2(?:-direktivet)?|NIS2-direktivet|NIS-direktivet|Data Act|"
    r"datarettsakten|dataforordningen|Data Governance Act|datastyringsforordningen|"
    r"Digital Services Act|Digital Markets Act|eIDAS(?: 2)?|Cyber Resilience Act|"
    r"Cybersecurity Act|European Accessibility Act|tilgjengelighetsdirektivet|ePrivacy|"
    r"e-Privacy|Open Data Directive|Interoperable Europe Act|European Health Data Space|"
    r"EHDS|Whistleblower Directive|varslerdirektivet)(?![\w-])",
    re.IGNORECASE,
)
# collective agreements in the municipal sector, which the sources never hold
_AGREEMENT = re.compile(
    r"(?<![\w-])(?:hovedtariffavtal\w*|hovudtariffavtal\w*|hovedavtal\w*|hovudavtal\w*|"
    r"særavtal\w*|arbeidstidsavtal\w*)(?![\w-])",
    re.IGNORECASE,
)
# a government circular or paper by its name or number: "Digitaliseringsrundskrivet",
# "rundskriv H-5/18", "Meld. St. 22 (2020–2021)", "NOU 2019: 9", "Prop. 125 L" — the sources
# may mention one, but hold it only when it is one of their documents
_PAPER = re.compile(
    r"(?<![\w-])(?:[a-zæøå]{3,}rundskriv(?:et|a|ets|ene)?|rundskriv\s+[A-Z]-?\d+/\d+|"
    r"Meld\.\s*St\.\s*\d+|St\.\s*meld\.\s*nr\.\s*\d+|NOU\s+\d{4}\s*:\s*\d+|"
    r"Prop\.\s*\d+\s*[LS])(?![\w-])",
    re.IGNORECASE,
)
# an act named in English ("the Working Environment Act", "the Planning and Building Act"):
# unknown unless it is one of the English names in the settings' law aliases or an EU act
_ENGLISH_ACT = re.compile(
    r"\b((?:[A-Z][\w-]*\s+(?:and\s+|of\s+|for\s+|on\s+)?){1,5}(?:Act|Regulations?))\b"
)
_NOT_A_NAME = {"the", "norwegian", "norway's", "eu", "eu's", "eea", "our", "this", "that", "which"}
# another country's law: "den svenske offentlighets- och sekretesslagen", "Danish law"
_FOREIGN_LAW = re.compile(
    r"(?<![\w-])(?:den\s+|det\s+|the\s+)?(?:svensk|svenske|dansk|danske|finsk|finske|tysk|tyske|"
    r"islandsk|islandske|britisk|britiske|amerikansk|amerikanske|swedish|danish|finnish|"
    r"german|icelandic|british|american|sweden's|denmark's|finland's|germany's|"
    r"iceland's|britain's|sveriges|danmarks|finlands|tysklands)\s+(?:[\w-]+\s+){0,7}?"
    r"[\w-]*(?:lag|lagen|lov|loven|lova|law|laws|act|regler|reglar|rules)(?![\w-])",
    re.IGNORECASE,
)


# "den nye arkivlova", "ny forvaltningslov", "the new Public Administration Act": of acts held
# under one name, the latest. "Den gamle arkivlova" keeps both: whether the old act still
# applies is settled by the new one's commencement provisions.
_NEWER = re.compile(r"(?i)\b(?:nye?|nya|nyare|nyere|new)\s+$")


def _law_key(name: str) -> str:
    """Normalise law names so inflections meet: 'Forvaltningslova' ~ 'forvaltningsloven'."""
    name = name.lower().strip(" .")
    name = name.replace("heit", "het")  # nynorsk 'digitalsikkerheitslova' ~ bokmål '-hetsloven'
    name = re.sub(r"(lova|loven|lovens|lovas|lov)$", "lov", name)
    name = re.sub(r"(forskrifta|forskriften|forskriftens|forskrift)$", "forskrift", name)
    name = re.sub(r"regulations$", "regulation", name)  # "the Digital Security Regulation(s)"
    return name


def flat_scope(
    named: Iterable[frozenset[str]], implied: Iterable[frozenset[str]]
) -> tuple[set[str], set[str]]:
    """The groups of `ReferenceResolver.scope_groups` as two sets of source ids: those named,
    and those implied but not named."""
    flat_named: set[str] = set().union(*named)
    return flat_named, set().union(*implied) - flat_named


class ReferenceResolver:
    """Finds law names and section/article labels in a question and maps them to sections."""

    def __init__(
        self,
        docs: Iterable[DocInfo],
        eu_aliases: Mapping[str, list[str]],
        law_aliases: Mapping[str, str],
        document_names: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.docs = list(docs)
        self._adopted = {doc.source_id: doc.adopted for doc in self.docs}
        self._names: dict[str, set[str]] = {}  # normalised name/abbreviation -> source ids
        for doc in self.docs:
            names = [doc.abbreviation, doc.short_title]
            # a guide or standard held without a short title ("CNIL", "Noark 5"), by source id
            for pattern, more in (document_names or {}).items():
                if fnmatch(doc.source_id, pattern):
                    names += more
            for name in names:
                if name and not re.fullmatch(r"\d{4}/\d+", name):
                    self._names.setdefault(_law_key(name), set()).add(doc.source_id)
        for alias, target in law_aliases.items():
            ids = self._names.get(_law_key(target))
            if ids:
                self._names.setdefault(_law_key(alias), set()).update(ids)
        self._eu: dict[str, str] = {}  # alias (lower) -> act number "2024/1689"
        for number, aliases in eu_aliases.items():
            for alias in [number, *aliases]:
                self._eu[alias.lower()] = number
        self._eu_pattern = re.compile(
            "|".join(re.escape(a) for a in sorted(self._eu, key=len, reverse=True)) or r"(?!x)x",
            re.IGNORECASE,
        )
        # each name also in its nynorsk '-heit-' spelling, which _law_key maps back
        names = sorted(
            {v for n in self._names for v in (n, n.replace("het", "heit"))}, key=len, reverse=True
        )
        self._name_pattern = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(n) + r"\w*" for n in names) + r")\.?(?![\w-])"
            if names
            else r"(?!x)x",
            re.IGNORECASE,
        )

    # -- law and act mentions -----------------------------------------------------------------

    def laws_in(self, question: str) -> list[tuple[int, set[str]]]:
        """(position, source ids) for every Norwegian law or regulation named in the question."""
        out = []
        for m in self._name_pattern.finditer(question):
            ids = self._names.get(_law_key(m.group(1)))
            if ids is None:
                # an inflected name ("offentleglovas"): try the longest known prefix
                word = m.group(1).lower()
                key = next((k for k in self._names if word.startswith(k) and len(k) >= 4), None)
                ids = self._names.get(key) if key else None
            if ids:
                out.append(
                    (m.start(), self._by_age(ids, question[max(0, m.start() - 16) : m.start()]))
                )
        return out

    def _by_age(self, ids: set[str], before: str) -> set[str]:
        """Of several acts under one name, the latest when the words `before` the name say
        "new"; all of them otherwise, or when their dates are not known."""
        if len(ids) < 2 or not _NEWER.search(before):
            return ids
        dates = {i: self._adopted.get(i, "") for i in ids}
        if not all(dates.values()):
            return ids
        latest = max(dates.values())
        return {i for i, d in dates.items() if d == latest}

    def unknown_laws(self, question: str) -> list[str]:
        """Names of laws in the question that are not among the sources: Norwegian laws
        ('plan- og bygningsloven' when it is not ingested; general words such as 'loven',
        'lovene', 'særlovene' are not names), EU acts the sources do not hold ('NIS2'),
        collective agreements ('hovedtariffavtalen'), government circulars and papers the
        sources do not hold ('Digitaliseringsrundskrivet') and other countries' laws ('den
        svenske offentlighets- och sekretesslagen')."""
        out = []
        for m in _LAW_NAME.finditer(question):
            name = m.group(1)
            if not self.laws_in(name) and name not in out:
                out.append(name)
        # EU acts the sources do not hold ("NIS2"), collective agreements, other countries' laws
        for m in _EU_ELSEWHERE.finditer(question):
            if not self.acts_in(m.group(0)) and m.group(0) not in out:
                out.append(m.group(0))
        for m in _AGREEMENT.finditer(question):
            if m.group(0) not in out:
                out.append(m.group(0))
        for m in _PAPER.finditer(question):
            if not self._holds_paper(m.group(0)) and m.group(0) not in out:
                out.append(m.group(0))
        for name in self._english_acts(question):
            if name not in out and not any(name in n for n in out):
                out.append(name)
        for m in _FOREIGN_LAW.finditer(question):
            name = m.group(0).strip()  # the whole name stands for a part found above
            out = [n for n in out if n not in name] + [name]
        return out

    def _english_acts(self, question: str) -> list[str]:
        """Acts the question names in English ("the Working Environment Act") that are neither
        an English name of a held law (the settings' law aliases) nor an EU act."""
        out = []
        for m in _ENGLISH_ACT.finditer(question):
            words = m.group(1).split()
            while words and words[0].lower() in _NOT_A_NAME:
                words = words[1:]
            name = " ".join(words)
            # "Regulation" and "Regulations" name the same
            forms = (name, name + "s", name[:-1] if name.endswith("s") else name)
            if len(words) >= 2 and not any(self.acts_in(f) or self.laws_in(f) for f in forms):
                out.append(name)
        return out

    def _holds_paper(self, name: str) -> bool:
        """Whether one of the held documents is the circular or paper `name` (by its title)."""
        key = re.sub(r"(?:et|a|ets|ene)$", "", re.sub(r"\s+", " ", name.lower()))
        return any(
            key in re.sub(r"\s+", " ", f"{doc.title} {doc.short_title or ''}".lower())
            for doc in self.docs
        )

    def acts_in(self, question: str) -> list[tuple[int, str]]:
        """(position, act number) for every EU act named in the question."""
        return [
            (m.start(), self._eu[m.group(0).lower()]) for m in self._eu_pattern.finditer(question)
        ]

    def scope(self, question: str, topics: Mapping[str, list[str]]) -> tuple[set[str], set[str]]:
        """Sources the question names (laws, regulations, EU acts), and sources its topic
        implies (`topics`: act number -> words that point to it, e.g. "KI-system")."""
        return flat_scope(*self.scope_groups(question, topics))

    def scope_groups(
        self, question: str, topics: Mapping[str, list[str]]
    ) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
        """As `scope`, one group of source ids per law or act (an EU act's renditions, and
        the GDPR's Norwegian one, are one group), each group once: the named ones in the
        question's order, the implied ones in the order of `topics`."""
        named: list[frozenset[str]] = []
        found = [(at, frozenset(ids)) for at, ids in self.laws_in(question)]
        found += [(at, frozenset(self._act_sources(n))) for at, n in self.acts_in(question)]
        for _, ids in sorted(found, key=lambda pair: pair[0]):
            if ids and ids not in named:
                named.append(ids)
        implied: list[frozenset[str]] = []
        for number, words in topics.items():
            if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w])", question, re.I) for w in words):
                ids = frozenset(self._act_sources(number))
                if ids and ids not in named and ids not in implied:
                    implied.append(ids)
        return named, implied

    def _act_sources(self, number: str) -> set[str]:
        ids = {d.source_id for d in self._eu_docs(number)}
        if number == "2016/679":
            ids |= {d.source_id for d in self.gdpr_norwegian()}
        return ids

    def _eu_docs(self, number: str) -> list[DocInfo]:
        return [d for d in self.docs if d.abbreviation == number]

    def gdpr_norwegian(self) -> list[DocInfo]:
        """Norwegian law texts that carry the GDPR articles ("Artikkel 35")."""
        return [
            d
            for d in self.docs
            if d.language != "en" and any(label.startswith("Artikkel ") for label in d.labels)
        ]

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, question: str) -> list[Reference]:
        refs: list[Reference] = []
        refs += self._sections(question)
        refs += self._articles(question)
        refs += self._annexes(question)
        refs += self._recitals(question)
        seen: set[tuple[str, str]] = set()
        unique = []
        for r in refs:
            if (r.source_id, r.label) not in seen:
                seen.add((r.source_id, r.label))
                unique.append(r)
        return unique

    def _nearest(self, pos: int, mentions: list[tuple[int, set[str]]]) -> set[str] | None:
        if not mentions:
            return None
        return min(mentions, key=lambda m: abs(m[0] - pos))[1]

    def _sections(self, question: str) -> list[Reference]:
        laws = self.laws_in(question)
        out = []
        for m in _SECTION.finditer(question):
            number = re.sub(r"\s*-\s*", "-", m.group(1))
            label = f"§ {number}" + (f" {m.group(2).lower()}" if m.group(2) else "")
            ids = self._nearest(m.start(), laws)
            explicit = ids is not None
            candidates = [d for d in self.docs if (ids is None or d.source_id in ids)]
            # a letter spaced or not ("§ 11 a", "§ 4c"): the section's own label decides
            letter = m.group(2).lower() if m.group(2) else ""
            spellings = [label, f"§ {number}{letter}"] if letter else []
            for doc in candidates:
                for lab in (*spellings, f"§ {number}"):
                    if lab in doc.labels:
                        out.append(Reference(doc.source_id, lab, m.group(0), explicit))
                        break
        return out

    def _act_numbers(self, question: str, pos: int) -> list[str]:
        acts = self.acts_in(question)
        if acts:
            return [min(acts, key=lambda a: abs(a[0] - pos))[1]]
        return sorted(set(self._eu.values()))

    def _articles(self, question: str) -> list[Reference]:
        out = []
        for m in _ARTICLE.finditer(question):
            n = int(m.group(1))
            numbers = self._act_numbers(question, m.start())
            explicit = bool(self.acts_in(question))
            for number in numbers:
                for doc in self._eu_docs(number):
                    if f"Article {n}" in doc.labels:
                        out.append(Reference(doc.source_id, f"Article {n}", m.group(0), explicit))
                if number == "2016/679":
                    for doc in self.gdpr_norwegian():
                        if f"Artikkel {n}" in doc.labels:
                            out.append(
                                Reference(doc.source_id, f"Artikkel {n}", m.group(0), explicit)
                            )
        return out

    def _annexes(self, question: str) -> list[Reference]:
        out = []
        for m in _ANNEX.finditer(question):
            raw = m.group(1)
            label = f"Annex {raw.upper() if not raw.isdigit() else to_roman(int(raw))}"
            for number in self._act_numbers(question, m.start()):
                for doc in self._eu_docs(number):
                    if label in doc.labels:
                        out.append(Reference(doc.source_id, label, m.group(0), True))
        return out

    def _recitals(self, question: str) -> list[Reference]:
        out = []
        for m in _RECITAL.finditer(question):
            label = f"Recital {int(m.group(1))}"
            for number in self._act_numbers(question, m.start()):
                for doc in self._eu_docs(number):
                    if label in doc.labels:
                        out.append(Reference(doc.source_id, label, m.group(0), True))
        return out
