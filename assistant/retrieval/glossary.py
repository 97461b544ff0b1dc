"""The bilingual term list (knowledge/glossary.yaml): carries a question over to the other
language so that the lexical side can match sources written in it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.retrieval.text import words


def _loose(phrase: str) -> str:
    """A phrase's words in order, with up to two other words between each ("wrong recipient"
    also finds "wrong external recipient")."""
    return r"(?:\W+\w+){0,2}?\W+".join(re.escape(w) for w in phrase.split())


@dataclass(frozen=True)
class Term:
    no: tuple[str, ...]
    en: tuple[str, ...]


@dataclass(frozen=True)
class Situation:
    """How people describe a case in their own words (`when`, any language) and the legal
    concept that governs it, in the words Norwegian (`no`) and English (`en`) sources use: "sent
    the list to the wrong recipient" is a personal data breach."""

    when: tuple[str, ...]
    no: tuple[str, ...]
    en: tuple[str, ...]


class Glossary:
    def __init__(
        self,
        terms: list[Term],
        variants: list[tuple[str, str]] | None = None,
        situations: list[Situation] | None = None,
    ) -> None:
        self.terms = terms
        self.variants = [(a, b) for a, b in (variants or []) if a != b]
        self.situations = situations or []
        self._variant = self._compile([(a, b) for a, b in self.variants])
        self._no = self._compile([t.no for t in terms])
        self._en = self._compile([t.en for t in terms])
        self._when = self._compile([s.when for s in self.situations], _loose)

    @staticmethod
    def _compile(
        groups: list[tuple[str, ...]], form: Callable[[str], str] = re.escape
    ) -> list[re.Pattern[str]]:
        """One whole-word pattern per group of forms, longest form first; `form` turns each
        form into its pattern (the form itself, or its words loosely in order)."""
        return [
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(form(f) for f in sorted(g, key=len, reverse=True))
                + r")(?!\w)",
                re.IGNORECASE,
            )
            for g in groups
        ]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        terms = []
        for i, item in enumerate(raw.get("terms", [])):
            no, en = item.get("nb"), item.get("en")
            if not no or not en:
                raise ValueError(f"{path}: term {i + 1} needs both 'nb' and 'en' forms")
            terms.append(Term(tuple(str(x).lower() for x in no), tuple(str(x).lower() for x in en)))
        variants = []
        for i, pair in enumerate(raw.get("variants", [])):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"{path}: variant {i + 1} must be [bokmål, nynorsk]")
            variants.append((str(pair[0]).lower(), str(pair[1]).lower()))
        situations = []
        for i, item in enumerate(raw.get("situations", [])):
            when, no, en = item.get("when"), item.get("nb"), item.get("en")
            if not when or not no or not en:
                raise ValueError(f"{path}: situation {i + 1} needs 'when', 'nb' and 'en' forms")
            situations.append(
                Situation(*(tuple(str(x).lower() for x in forms) for forms in (when, no, en)))
            )
        return cls(terms, variants, situations)

    def _terms_in(self, text: str, found_by: str, give: str) -> list[str]:
        """The `give` forms ("no" or "en") of every term whose `found_by` forms occur in
        `text`."""
        pats = self._no if found_by == "no" else self._en
        return [
            form
            for term, pat in zip(self.terms, pats, strict=True)
            if pat.search(text)
            for form in (term.no if give == "no" else term.en)
        ]

    def to_english(self, text: str) -> list[str]:
        """English terms for the Norwegian terms found in `text`."""
        return self._terms_in(text, "no", "en")

    def other_norwegian(self, text: str) -> list[str]:
        """The nynorsk forms of bokmål words in `text`, and the other way round."""
        out = []
        for (a, b), pat in zip(self.variants, self._variant, strict=True):
            m = pat.search(text)
            if m:
                out.append(b if m.group(0).lower() == a else a)
        return out

    def norwegian_for_unknown(self, text: str, known: Collection[str]) -> list[str]:
        """The other Norwegian forms of each term that `text` writes in a form with a word not
        in `known` (the words of the Norwegian sources): "DPIA", which only English guidance
        uses, gives "personvernkonsekvensvurdering" and "vurdering av personvernkonsekvenser".
        Words shorter than three letters are not judged (the vocabulary leaves them out)."""
        out: list[str] = []
        for term, pat in zip(self.terms, self._no, strict=True):
            for m in pat.finditer(text):
                found = m.group(0).lower()
                if any(len(w) >= 3 and w not in known for w in words(found)):
                    out += [
                        form
                        for form in term.no
                        if form != found and all(w in known for w in words(form) if len(w) >= 3)
                    ]
                    break
        return out

    def english_synonyms(self, text: str) -> list[str]:
        """The other English forms of the English terms found in `text` ("automatically" ->
        "automated individual decision-making"), for an English question's own partition."""
        return self._terms_in(text, "en", "en")

    def concepts(self, text: str, family: str) -> list[str]:
        """The legal concepts of the situations `text` describes, in the words of the sources
        in one language family ('no' or 'en')."""
        return [
            form
            for situation, pat in zip(self.situations, self._when, strict=True)
            if pat.search(text)
            for form in (situation.en if family == "en" else situation.no)
        ]

    def to_norwegian(self, text: str) -> list[str]:
        """Norwegian terms for the English terms found in `text`."""
        return self._terms_in(text, "en", "no")
