"""Standards a question names by number or version that the sources never mention.

"When will WCAG 2.2 become mandatory?" shares its words with the regulation on universal
design, which names WCAG 2.0: quoting it would answer about another version. As with a law the
sources do not hold, the answer says that the standard is not mentioned in them. What counts
as a standard here: WCAG and Noark versions, PDF/A parts, ISO, IEC, NS and EN numbers
("ISO 27001", "NS-EN 1332", "EN 301 549"), and numbered guidelines and opinions ("EDPB
Guidelines 07/2020", "WP 243"). EN and NS must be written in capitals: "en 30 dagers frist"
is not a standard. A Norwegian act or regulation cited by date and number ("forskrift 14.
april 2026 nr. 617") counts too: it is known when it is one of the held documents or the
sources cite it (a held law names the regulations it repeals and amends). So do a template or
guide of a body whose publications the sources do not hold ("KS standard template", "malen fra
DFØ"), unless the sources name one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.retrieval.currency import MONTHS

_VERSIONED = re.compile(r"\b(WCAG|Noark|PDF/A)[ -]?(\d+(?:\.\d+)*)", re.IGNORECASE)
# a numbered guideline or opinion: "EDPB Guidelines 07/2020", "WP 243"
_PAPER = re.compile(
    r"\b(?:guidelines?|retningslinjer|retningsliner|recommendations?|anbefaling|opinion|"
    r"uttalelse|fråsegn)\s+(?:no\.?\s+|nr\.?\s+)?(\d{1,2}/\d{4})|\b(WP\s?\d{2,3})\b",
    re.IGNORECASE,
)
_ENGLISH_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# the Norwegian month names (and their abbreviations) as the currency notes read them
_MONTH_NUMBERS = {**MONTHS, **{m: n for n, m in enumerate(_ENGLISH_MONTHS, start=1)}}
_MONTH = "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))
# a Norwegian act or regulation cited by its date and number, as Lovdata and the laws cite
# them: "forskrift 14. april 2026 nr. 617", "lov 20. juni 2025 nr. 96", "Act of 20 June 2025
# No. 96", "FOR-2016-08-12-974"
_DATED = re.compile(
    r"\b(?:lov|loven|lova|forskrift|forskriften|forskrifta|act|regulations?)\s+(?:of\s+|av\s+)?"
    rf"(\d{{1,2}})\.?\s+({_MONTH})\s+(\d{{4}})"
    r"(?:\s+(?:nr|no)\.?\s*(\d+))?|"
    r"\b(?:LOV|FOR)-(\d{4})-(\d{2})-(\d{2})(?:-(\d+))?\b",
    re.IGNORECASE,
)
# a template or guide published by a body whose publications the sources do not hold: "KS
# standard template", "malen fra DFØ", "Digdirs veileder"
_ISSUERS = r"KS|DFØ|Digdir|Difi|Kommuneforlaget"
_DOCUMENT = (
    r"(?i:standard\s+)?(?i:mal|malen|maler|malar|template|templates|standardavtale\w*|"
    r"avtalemal\w*|veileder\w*|rettleiar\w*|rettleiing\w*|guide|guides|guidance|"
    r"sjekkliste\w*|checklist\w*|eksempel\w*)"
)
_ISSUED = re.compile(
    rf"\b({_ISSUERS})(?:'s|’s|'|’|s)?(?:[- ](?i:sin|si|sitt|sine))?[- ](?:[\w-]+\s+){{0,3}}?"
    rf"{_DOCUMENT}\b|"
    rf"\b{_DOCUMENT}\s+(?i:fra|frå|from|by|published by|utarbeidet av|laget av|laga av)\s+"
    rf"(?i:the\s+)?({_ISSUERS})\b"
)
# a held document's own address names its date and number: ".../forskrift/2016-08-12-974"
_ADDRESS = re.compile(r"/(?:lov|forskrift)/(\d{4})-(\d{2})-(\d{2})(?:-(\d+))?")
_NUMBERED = re.compile(
    r"\b(?:(?i:ISO)(?:/(?i:IEC))?|(?i:IEC)|NS(?:-EN)?(?:[-/]ISO)?(?:/IEC)?|EN)[ -]?"
    r"(\d{3,}(?: \d{3})*)"
)


def identifiers(text: str) -> dict[str, str]:
    """The standards `text` names: a key for each ("wcag 2.2", "iso 27001") mapped to the
    name as written."""
    found: dict[str, str] = {}
    for m in _VERSIONED.finditer(text):
        found[f"{m.group(1).lower()} {m.group(2)}"] = m.group(0)
    for m in _NUMBERED.finditer(text):
        found[f"number {m.group(1).replace(' ', '')}"] = m.group(0)
    for m in _DATED.finditer(text):
        if m.group(1):
            day, month, year, number = (
                m.group(1),
                _MONTH_NUMBERS[m.group(2).lower()],
                m.group(3),
                m.group(4),
            )
        else:
            year, month, day, number = m.group(5), int(m.group(6)), m.group(7), m.group(8)
        found[_act_key(year, month, day, number)] = m.group(0)
    for m in _ISSUED.finditer(text):
        issuer = (m.group(1) or m.group(2)).lower()
        found[f"issuer {issuer}"] = m.group(0)
    for m in _PAPER.finditer(text):
        if m.group(1):
            found[f"paper {m.group(1)}"] = m.group(0)
        else:
            found[f"paper {m.group(2).upper().replace(' ', '')}"] = m.group(2)
    return found


def _act_key(year: str, month: int, day: str, number: str | None) -> str:
    return f"act {int(year):04d}-{month:02d}-{int(day):02d}" + (f"-{number}" if number else "")


def known_identifiers(texts: Iterable[str], addresses: Iterable[str] = ()) -> frozenset[str]:
    """The keys of every standard the texts name, and of the acts whose `addresses` (the held
    documents' links) name their date and number."""
    keys: set[str] = set()
    for text in texts:
        keys.update(identifiers(text))
    for address in addresses:
        for m in _ADDRESS.finditer(address):
            keys.add(_act_key(m.group(1), int(m.group(2)), m.group(3), m.group(4)))
    return frozenset(keys)


def _known(key: str, known: frozenset[str]) -> bool:
    """A key is known when the sources name it, or a more exact version of it ("Noark 5" when
    they name "Noark 5.0"); a more exact version than they name ("WCAG 2.2" beside "WCAG 2")
    is not."""
    if key.startswith("act "):
        # an act cited without its number ("lov 10. februar 1967") is the one of that date;
        # a held act whose number the sources leave out is known by its date
        return any(k == key or k.startswith(key + "-") or key.startswith(k + "-") for k in known)
    return key in known or any(k.startswith(key + ".") for k in known)


def unknown_standards(question: str, known: frozenset[str]) -> list[str]:
    """The standards the question names that the sources do not, as the question writes them."""
    return [name for key, name in identifiers(question).items() if not _known(key, known)]
