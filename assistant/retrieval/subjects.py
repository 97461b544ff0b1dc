"""Subjects whose law is not among the sources (knowledge/subject-laws.yaml).

A question about property tax, building permits or sick pay is governed by a law the default
sources do not hold. Quoting the closest passage of the laws we do hold would answer it from the
wrong law; instead the answer says which law governs the subject and that it is not among the
sources. A question that also touches what the sources cover (access, personal data, archives,
procurement, AI) is answered, with that law named in a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.retrieval.text import asking_sentences

LANGS = ("nb", "nn", "en")


def _pattern(words: Iterable[str], inside: bool = False) -> re.Pattern[str]:
    """Words that match at the start of a word ("byggesøknad" in "byggesøknaden"), or with
    `inside` anywhere in one ("arkiv" in "byggjesaksarkivet"); a word of four letters or fewer
    ("ki", "ai", "logg") only at the start, and one of three or fewer only whole or before a
    hyphen ("KI-verktøy")."""
    short = sorted({w for w in words if len(w) <= 3}, key=len, reverse=True)
    middle = sorted({w for w in words if len(w) == 4}, key=len, reverse=True)
    long = sorted({w for w in words if len(w) > 4}, key=len, reverse=True)
    parts = []
    start = r"(?<![\w-])"
    if long:
        parts.append(("" if inside else start) + "(?:" + "|".join(map(re.escape, long)) + ")")
    if middle:
        parts.append(start + "(?:" + "|".join(map(re.escape, middle)) + ")")
    if short:
        parts.append(start + "(?:" + "|".join(map(re.escape, short)) + r")(?![\w])")
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class SubjectLaw:
    names: dict[str, str]  # language -> the law's name as the answer shows it
    pattern: re.Pattern[str]

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["nb"]


class SubjectLaws:
    def __init__(self, laws: list[SubjectLaw], covered: Iterable[str]) -> None:
        self.laws = laws
        # a question about the archive of building cases ("byggjesaksarkivet") is about archives
        self._covered = _pattern(covered, inside=True)

    @classmethod
    def load(cls, path: Path) -> SubjectLaws:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        laws = []
        for i, item in enumerate(raw.get("laws") or []):
            names = {k: str(v) for k, v in (item.get("law") or {}).items() if k in LANGS}
            words = [str(w).lower() for w in item.get("words") or []]
            if "nb" not in names or not words:
                raise ValueError(f"{path}: law {i + 1} needs a 'law' with 'nb' and some 'words'")
            laws.append(SubjectLaw(names, _pattern(words)))
        return cls(laws, [str(w).lower() for w in raw.get("covered") or []])

    def absent(self, question: str, held: Callable[[str], bool]) -> list[SubjectLaw]:
        """The laws governing subjects the question names, which `held` (by the law's name)
        says are not among the sources, in the order of the file."""
        return [
            law
            for law in self.laws
            if law.pattern.search(question) and not any(held(n) for n in law.names.values())
        ]

    def covered(self, question: str, absent: Iterable[SubjectLaw] = ()) -> bool:
        """Does the question also touch what the sources cover (access, personal data, …)?
        The words that name an `absent` law's subject do not count: "arbeidsgivers innsyn i
        e-postkassen" is about the employer's access to a mailbox, not about access to
        documents or about e-mail in general."""
        for law in absent:
            question = law.pattern.sub(" ", question)
        return bool(self._covered.search(question))

    def asked_outside(self, question: str, absent: Iterable[SubjectLaw]) -> bool:
        """Does a sentence that asks (it ends in '?') name a subject of an `absent` law and
        nothing the sources cover? Then what the question's other sentences touch is the
        setting, not what is asked: "En utbygger klager på … Hvor lang saksbehandlingsfrist
        har kommunen for byggesøknader?" asks about building permits, not about appeals."""
        laws = list(absent)
        if not laws:
            return False
        for sentence in asking_sentences(question):
            if any(law.pattern.search(sentence) for law in laws) and not self.covered(
                sentence, laws
            ):
                return True
        return False
