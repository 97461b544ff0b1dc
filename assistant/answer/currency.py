"""Warnings about versions and dates: an answer that quotes a text not in force on the
question's date (`as_of`), or repealed, or an EU article that applies only later, says so and
names the version that applies.

Which version applies comes from `assistant.retrieval.currency` (the documents' own dates, what
the newer act says it repeals, our fact files). The texts are fixed, in nb, nn and en
(`assistant.answer.texts`). For a question about currency itself ("gjelder det allerede?",
"is it still in force?") the answer also says from when the cited rules apply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.answer.texts import format_date, text
from assistant.records import CurrencyNote, Passage, display_name
from assistant.retrieval import Filters, Retrieval, Retriever, is_currency_question
from assistant.retrieval.currency import Currency, Key, Validity

MAX_EU_NOTES = 3  # notes on EU articles per answer


@dataclass
class _Subject:
    key: Key
    label: str
    passage: Passage | None  # the cited or retrieved passage, when there is one


def _article_number(label: str) -> str:
    m = re.search(r"(\d+)$", label)
    return m.group(1) if m else label


def _provision(lang: str, provision: str) -> str:
    number = _article_number(provision)
    return f"Article {number}" if lang == "en" else f"art. {number}"


class CurrencyNotes:
    """Builds the notes for one answer."""

    def __init__(
        self,
        retriever: Retriever,
        retrieval: Retrieval,
        filters: Filters,
        lang: str,
    ) -> None:
        self.retriever = retriever
        self.retrieval = retrieval
        self.filters = filters
        self.lang = lang
        self.currency: Currency = retriever.currency(retrieval.index)
        self.tenants = frozenset(filters.visible_tenants)
        self.day: date = filters.day
        self.cited: list[tuple[Passage, str]] = []

    # -- names -------------------------------------------------------------------------------

    def name(self, key: Key) -> str:
        doc = self.currency.docs.get(key)
        if doc is None:
            return key[1]
        if doc.eu is not None:
            return doc.eu.name(self.lang)
        version = self.currency.version_label(key, self.tenants)
        return display_name(doc.name, doc.abbreviation or None, version)

    def applicable_section(self, key: Key) -> str | None:
        """The section of the applicable version that matches the question best: the one the
        answer quotes, else the best retrieved passage from it, else a search within it."""
        for p, label in self.cited:
            if (p.tenant, p.source_id) == key and label:
                return label
        for p in self.retrieval.passages:
            if (p.tenant, p.source_id) == key and p.section:
                return p.section
        best = self.retriever.best_in_source(self.retrieval.question, key[1], key[0], self.filters)
        return best.section if best is not None and best.section else None

    def date(self, value: date) -> str:
        return format_date(value, self.lang)

    # -- notes -------------------------------------------------------------------------------

    def build(self, cited: Sequence[tuple[Passage, str]]) -> list[CurrencyNote]:
        self.cited = list(cited)
        asks = is_currency_question(self.retrieval.question)
        subjects = [_Subject((p.tenant, p.source_id), label, p) for p, label in cited]
        if asks:
            subjects += self._asked_about()
            if not subjects:  # a refusal: the sources it retrieved first
                subjects += [
                    _Subject((p.tenant, p.source_id), p.section, p)
                    for p in self.retrieval.passages[:2]
                ]
        notes: list[CurrencyNote] = []
        seen: set[tuple[str, ...]] = set()
        for s in subjects:
            v = self.currency.section_validity(s.key, s.label, self.day, self.tenants)
            note = self._note(s, v, asks)
            if note is None:
                continue
            ident = (note.kind, note.source_id) + ((note.section,) if v.scope != "document" else ())
            eu_notes = sum(n.kind.startswith("eu_") for n in notes)
            if ident in seen or (note.kind.startswith("eu_") and eu_notes >= MAX_EU_NOTES):
                continue
            seen.add(ident)
            notes.append(note)
        # what does not apply first, then the dates of what does
        return sorted(notes, key=lambda n: n.applies)

    def _visible(self, source_id: str) -> list[Key]:
        keys = [(t, source_id) for t in sorted(self.tenants)]
        return [k for k in keys if k in self.currency.docs]

    def _asked_about(self) -> list[_Subject]:
        """What a question about currency names: its references ("art. 5", "arkivlova § 24"),
        and a named version that does not apply ("arkivlova frå 1992")."""
        out = [
            _Subject(key, ref.label, None)
            for ref in self.retrieval.references
            for key in self._visible(ref.source_id)
        ]
        resolver = self.retriever.resolver(sorted(self.tenants))
        named, _ = resolver.scope(self.retrieval.question, {})
        for source_id in sorted(named):
            for key in self._visible(source_id):
                if not self.currency.doc_validity(key, self.day, self.tenants).applies:
                    out.append(_Subject(key, "", None))
        return out

    def _note(self, s: _Subject, v: Validity, asks: bool) -> CurrencyNote | None:
        if v.state == "not_in_force":
            if v.scope == "article":
                return self._eu(s, v, "eu_not_yet")
            return self._not_in_force(s, v)
        if v.state == "repealed":
            return self._repealed(s, v)
        if v.state == "in_force" and v.scope == "article" and (asks or v.parts):
            return self._eu(s, v, "eu_applies")
        if v.state == "in_force" and asks and v.since is not None:
            scope = v.scope == "section"
            words = text(
                self.lang,
                "cur_section_in_force_since" if scope else "cur_in_force_since",
                name=self.name(s.key),
                section=s.label,
                date=self.date(v.since),
            )
            return self._make("in_force_since", s, v, words, section=s.label if scope else "")
        return None

    def _make(
        self,
        kind: str,
        s: _Subject,
        v: Validity,
        words: str,
        section: str = "",
        applicable: Key | None = None,
        applicable_section: str | None = None,
    ) -> CurrencyNote:
        return CurrencyNote(
            kind=kind,
            source_id=s.key[1],
            section=section,
            name=self.name(s.key),
            applies=v.applies,
            date=v.since.isoformat() if v.since else None,
            applicable_source_id=applicable[1] if applicable else None,
            applicable_name=self.name(applicable) if applicable else None,
            applicable_section=applicable_section,
            text=words,
        )

    def _when(self, v: Validity) -> str:
        if v.pending:
            return text(self.lang, "cur_when_pending")
        if v.since is not None:
            return text(self.lang, "cur_when_date", date=self.date(v.since))
        return ""

    def _not_in_force(self, s: _Subject, v: Validity) -> CurrencyNote:
        as_of = self.date(self.day)
        name = self.name(s.key)
        if v.scope == "section":
            words = text(
                self.lang,
                "cur_section_not_in_force",
                name=name,
                section=s.label,
                as_of=as_of,
                when=self._when(v),
            )
            return self._make("section_not_in_force", s, v, words, section=s.label)
        words = text(self.lang, "cur_not_in_force", name=name, as_of=as_of, when=self._when(v))
        section = None
        if v.applicable is not None:
            section = self.applicable_section(v.applicable)
            words += text(self.lang, "cur_applicable", applicable=self.name(v.applicable))
            if section:
                words += text(self.lang, "cur_nearest", section=section)
        else:
            words += text(self.lang, "cur_check")
        return self._make("not_in_force", s, v, words, "", v.applicable, section)

    def _repealed(self, s: _Subject, v: Validity) -> CurrencyNote:
        since = text(self.lang, "cur_since", date=self.date(v.since)) if v.since else ""
        words = text(self.lang, "cur_repealed", name=self.name(s.key), since=since)
        section = None
        if v.applicable is not None:
            section = self.applicable_section(v.applicable)
            words += text(self.lang, "cur_replaced", applicable=self.name(v.applicable))
            if section:
                words += text(self.lang, "cur_nearest", section=section)
        else:
            words += text(self.lang, "cur_check_now")
        return self._make("repealed", s, v, words, "", v.applicable, section)

    def _eu(self, s: _Subject, v: Validity, kind: str) -> CurrencyNote | None:
        assert v.eu is not None and v.since is not None
        if kind == "eu_applies" and s.label == v.eu.provision and not v.parts:
            return None  # the application provision itself: the other notes carry its dates
        label = s.label
        if self.lang != "en":
            label = re.sub(r"^Article\b", "artikkel", label)
        values = {
            "name": v.eu.name(self.lang),
            "section": label,
            "date": self.date(v.since),
            "provision": _provision(self.lang, v.eu.provision),
            "as_of": self.date(self.day),
        }
        words = text(self.lang, "cur_" + kind, **values)
        for part, start in v.parts:
            if start > self.day:
                words += text(self.lang, "cur_eu_part", part=part, date=self.date(start))
        return self._make(kind, s, v, words, section=s.label)


def currency_notes(
    retriever: Retriever,
    retrieval: Retrieval,
    filters: Filters,
    lang: str,
    cited: Sequence[tuple[Passage, str]],
) -> tuple[list[CurrencyNote], list[str]]:
    """The notes for an answer that cites `cited` (passage, section label), and the extra
    warning lines (the EU/EEA caveat) to show after them."""
    builder = CurrencyNotes(retriever, retrieval, filters, lang)
    notes = builder.build(cited)
    extra: list[str] = []
    eu_acts = [
        builder.currency.docs[(tenant, n.source_id)].eu
        for n in notes
        for tenant in builder.tenants
        if n.kind.startswith("eu_") and (tenant, n.source_id) in builder.currency.docs
    ]
    if any(act is not None and act.eea_note for act in eu_acts):
        extra.append(text(lang, "cur_eea"))
    return notes, extra


__all__ = ["currency_notes"]
