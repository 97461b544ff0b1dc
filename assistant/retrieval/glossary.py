"""The bilingual term list (knowledge/glossary.yaml): carries a question over to the other
language so that the lexical side can match sources written in it."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.retrieval.text import words


@dataclass(frozen=True)
class Term:
    no: tuple[str, ...]
    en: tuple[str, ...]


class Glossary:
    def __init__(self, terms: list[Term], variants: list[tuple[str, str]] | None = None) -> None:
        self.terms = terms
        self.variants = [(a, b) for a, b in (variants or []) if a != b]
        self._variant = self._compile([(a, b) for a, b in self.variants])
        self._no = self._compile([t.no for t in terms])
        self._en = self._compile([t.en for t in terms])

    @staticmethod
    def _compile(groups: list[tuple[str, ...]]) -> list[re.Pattern[str]]:
        return [
            re.compile(
                r"(?<!\w)(?:"
                + "|".join(re.escape(f) for f in sorted(g, key=len, reverse=True))
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
        return cls(terms, variants)

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

    def to_norwegian(self, text: str) -> list[str]:
        """Norwegian terms for the English terms found in `text`."""
        return self._terms_in(text, "en", "no")
