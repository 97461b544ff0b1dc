"""Extractive answers: the most relevant sentences of the best passages, quoted verbatim.

No model writes anything: the answer is a short lead quote plus at most a couple more, each with
a numbered citation, in fixed text for the question's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.texts import text
from assistant.records import Citation, Passage
from assistant.retrieval.lexical import LexicalIndex
from ingest.chunking import split_sentences

_MIN_UNIT = 25


@dataclass
class Quote:
    passage: int  # index into the passages list
    text: str
    score: float
    coverage: float  # share of the question's weight this sentence matches
    referenced: bool = False  # from a passage the question named ("offl. § 28")


def units(passage_text: str) -> list[str]:
    """Quotable units of a passage: sentences and list items, verbatim."""
    out: list[str] = []
    for para in passage_text.split("\n\n"):
        for line in para.split("\n"):
            line = line.strip()
            if not line:
                continue
            for sentence in split_sentences(line):
                if len(sentence) >= _MIN_UNIT:
                    out.append(sentence)
    return out


def pick_quotes(
    query_tokens: dict[str, set[str]],
    passages: Sequence[Passage],
    index: LexicalIndex,
    max_passages: int = 4,
    max_quotes: int = 3,
    referenced: frozenset[str] = frozenset(),
) -> list[Quote]:
    """The best sentences of the top passages, best first, from distinct sentences.

    `query_tokens` maps a language family ('no', 'en') to the question's analysed tokens in
    that family (the glossary carries a Norwegian question over to English and back).
    Passages the question named explicitly (`referenced` chunk ids) are preferred.
    """
    scored: list[Quote] = []
    for rank, p in enumerate(passages[:max_passages]):
        family = "en" if p.language == "en" else "no"
        q = query_tokens.get(family, set())
        weight = sum(index.idf(t) for t in q) or 1.0
        for unit in units(p.text):
            tokens = set(index.sentence_tokens(unit, p.language))
            matched = sum(index.idf(t) for t in q & tokens)
            coverage = matched / weight
            length_penalty = 1.0 / (1.0 + len(unit) / 800)
            prior = 0.25 / (rank + 1) + (0.5 if p.chunk_id in referenced else 0.0)
            score = coverage * length_penalty + prior
            scored.append(Quote(rank, unit, score, coverage, p.chunk_id in referenced))
    scored.sort(key=lambda x: -x.score)
    chosen: list[Quote] = []
    for quote in scored:
        if len(chosen) >= max_quotes:
            break
        if any(quote.text == c.text for c in chosen):
            continue
        if quote.coverage <= 0 and not quote.referenced:
            continue
        # at most two quotes from one passage, so the answer points to more than one place
        if sum(c.passage == quote.passage for c in chosen) >= 2:
            continue
        chosen.append(quote)
    return chosen


def label_for(passage: Passage, quote: str) -> str:
    """The section label a quote sits under (merged chunks hold several small sections)."""
    if len(passage.section_labels) <= 1:
        return passage.section
    pos = passage.text.find(quote[:40])
    label = passage.section_labels[0]
    for candidate in passage.section_labels:
        m = re.search(rf"(?m)^{re.escape(candidate)}\b", passage.text)
        if m and 0 <= m.start() <= pos:
            label = candidate
    return label


def compose(
    lang: str, passages: Sequence[Passage], quotes: Sequence[Quote]
) -> tuple[str, list[Citation]]:
    """Answer text and citations: one [n] per passage quoted, in order of first use."""
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    lines: list[str] = []
    for quote in quotes:
        p = passages[quote.passage]
        label = label_for(p, quote.text)
        if quote.passage not in numbers:
            numbers[quote.passage] = len(numbers) + 1
        n = numbers[quote.passage]
        citations.append(Citation.of(n, p, quote.text, section=label))
        key = "lead" if not lines else "more"
        name = p.display_name
        page = f"{'p.' if lang == 'en' else 's.'} {p.page_start}" if p.page_start else ""
        shown_label = label or page
        lines.append(
            text(lang, key, name=name, label=shown_label, quote=quote.text, n=n).replace("  ", " ")
        )
    return "\n\n".join(lines), citations
