"""LLM answers from numbered sources, checked sentence by sentence.

The model sees the passages as [1] … [k] and must end every sentence with [n] and quote the
source between « ». A sentence is kept only if every [n] it cites exists and every quote in it
stands verbatim in a passage it cites; at least one verified quote is required. Sentences are
checked as the reply streams in, so nothing unverified is ever shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from assistant.answer.verify import quote_in
from assistant.records import Citation, Passage

NO_ANSWER = "INGEN_SVAR_I_KILDENE"
LANGUAGE_NAMES = {"nb": "Norwegian bokmål", "nn": "Norwegian nynorsk", "en": "English"}

_MARK = re.compile(r"\[(\d{1,2})\]")
_QUOTED = re.compile(r"«([^»]{4,})»|“([^”]{4,})”|\"([^\"]{4,})\"")
# a sentence ends after a citation mark, or at a line break
_BOUNDARY = re.compile(r"(?<=\])(?:[.!?])?\s+|\n+")


def sources_block(passages: Sequence[Passage]) -> str:
    parts = []
    for n, p in enumerate(passages, start=1):
        where = " ".join(
            x for x in (p.section, f"(s. {p.page_start})" if p.page_start else "") if x
        )
        parts.append(f"[{n}] {p.display_name} {where}\n{p.text}")
    return "\n\n".join(parts)


@dataclass
class Checked:
    sentence: str
    kept: bool
    citations: list[Citation] = field(default_factory=list)
    reason: str = ""


def check_sentence(sentence: str, passages: Sequence[Passage]) -> Checked:
    """Keep a sentence only if its citations exist and its quotes are verbatim in them."""
    numbers = [int(n) for n in _MARK.findall(sentence)]
    quotes = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(sentence)]
    if not numbers:
        return Checked(sentence, False, reason="no citation")
    if any(not 1 <= n <= len(passages) for n in numbers):
        return Checked(sentence, False, reason="cites a source that does not exist")
    if not quotes:
        return Checked(sentence, False, reason="no quote")
    citations = []
    for quote in quotes:
        source = next((n for n in numbers if quote_in(quote, passages[n - 1].text)), None)
        if source is None:
            return Checked(sentence, False, reason="quote not found in the cited source")
        citations.append(Citation.of(source, passages[source - 1], quote, verified=True))
    return Checked(sentence, True, citations)


def sentences_from(pieces: Iterator[str]) -> Iterator[str]:
    """Whole sentences from a stream of text pieces, as soon as each one is complete."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        while True:
            m = _BOUNDARY.search(buffer)
            if not m:
                break
            sentence, buffer = buffer[: m.start()].strip(), buffer[m.end() :]
            if sentence:
                yield sentence
    if buffer.strip():
        yield buffer.strip()
