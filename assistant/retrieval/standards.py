"""Standards a question names by number or version that the sources never mention.

"When will WCAG 2.2 become mandatory?" shares its words with the regulation on universal
design, which names WCAG 2.0: quoting it would answer about another version. As with a law the
sources do not hold, the answer says that the standard is not mentioned in them. What counts
as a standard here: WCAG and Noark versions, PDF/A parts, ISO, IEC, NS and EN numbers
("ISO 27001", "NS-EN 1332", "EN 301 549"), and numbered guidelines and opinions ("EDPB
Guidelines 07/2020", "WP 243"). EN and NS must be written in capitals: "en 30 dagers frist"
is not a standard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_VERSIONED = re.compile(r"\b(WCAG|Noark|PDF/A)[ -]?(\d+(?:\.\d+)*)", re.IGNORECASE)
# a numbered guideline or opinion: "EDPB Guidelines 07/2020", "WP 243"
_PAPER = re.compile(
    r"\b(?:guidelines?|retningslinjer|retningsliner|recommendations?|anbefaling|opinion|"
    r"uttalelse|fråsegn)\s+(?:no\.?\s+|nr\.?\s+)?(\d{1,2}/\d{4})|\b(WP\s?\d{2,3})\b",
    re.IGNORECASE,
)
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
    for m in _PAPER.finditer(text):
        if m.group(1):
            found[f"paper {m.group(1)}"] = m.group(0)
        else:
            found[f"paper {m.group(2).upper().replace(' ', '')}"] = m.group(2)
    return found


def known_identifiers(texts: Iterable[str]) -> frozenset[str]:
    """The keys of every standard the texts name."""
    keys: set[str] = set()
    for text in texts:
        keys.update(identifiers(text))
    return frozenset(keys)


def _known(key: str, known: frozenset[str]) -> bool:
    """A key is known when the sources name it, or a more exact version of it ("Noark 5" when
    they name "Noark 5.0"); a more exact version than they name ("WCAG 2.2" beside "WCAG 2")
    is not."""
    return key in known or any(k.startswith(key + ".") for k in known)


def unknown_standards(question: str, known: frozenset[str]) -> list[str]:
    """The standards the question names that the sources do not, as the question writes them."""
    return [name for key, name in identifiers(question).items() if not _known(key, known)]
