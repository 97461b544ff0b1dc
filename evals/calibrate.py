"""Calibrating the refusal threshold on our own eval set.

Every question is answered with the confidence threshold switched off; the confidence of each
answer is recorded beside whether the corpus answers the question, and whether the answer was
refused anyway (by a rule that does not look at confidence: the question names only laws the
sources do not hold, its subject belongs to such a law, nothing verifiable was found). The
threshold chosen is the one that refuses the most unanswerable questions, counting those
refused anyway, while refusing at most `max_false_refusals` of the answerable ones; among
equals, the lowest, placed in the middle of the gap between the highest confidence it refuses
and the lowest it keeps. Run on `evals/datasets/regelrett-nb.jsonl` only (the shared sample stays a
check).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.answer import Assistant
from evals.harness import EvalItem


@dataclass(frozen=True)
class Scored:
    confidence: float
    answerable: bool
    refused_anyway: bool = False  # refused with the threshold at 0
    language: str = ""  # the answer's language

    def refused_at(self, threshold: float) -> bool:
        return self.refused_anyway or self.confidence < threshold


@dataclass
class Calibration:
    threshold: float
    refusal_accuracy: float
    false_refusal_rate: float
    answerable: list[float]  # confidences, sorted
    unanswerable: list[float]


def confidences(assistant: Assistant, items: Sequence[EvalItem]) -> list[Scored]:
    """Each item answered with the assistant's settings (set its threshold to 0 first)."""
    out = []
    for item in items:
        answer = assistant.answer(item.question, lang=item.lang)
        out.append(Scored(answer.confidence, item.answerable, answer.refused, answer.language))
    return out


def confidence_alone(scored: Sequence[Scored]) -> list[Scored]:
    """The same answers as if no rule had refused any: for choosing a threshold on sets the
    rules were written on, where what the rules catch overstates what they catch on new
    questions."""
    return [replace(s, refused_anyway=False) for s in scored]


def choose_threshold(scored: Sequence[Scored], max_false_refusals: float = 0.1) -> Calibration:
    pos = [s for s in scored if s.answerable]
    neg = [s for s in scored if not s.answerable]

    def share_refused(group: list[Scored], t: float) -> float:
        return sum(s.refused_at(t) for s in group) / max(len(group), 1)

    # (threshold, refusal accuracy, false-refusal rate) of the lowest best threshold
    best = (0.0, share_refused(neg, 0.0), share_refused(pos, 0.0))
    for t in sorted({round(s.confidence + 1e-4, 4) for s in scored}):
        false_ref = share_refused(pos, t)
        if false_ref > max_false_refusals:
            break
        acc = share_refused(neg, t)
        if acc > best[1] or (acc == best[1] and false_ref < best[2]):
            best = (t, acc, false_ref)
    threshold = best[0]
    free = [s.confidence for s in scored if not s.refused_anyway]
    below = [c for c in free if c < threshold]
    above = [c for c in free if c >= threshold]
    if threshold > 0 and below and above:
        # the same figures hold from just above the highest confidence refused up to the
        # lowest confidence kept: take the middle, not the edge, of that gap
        threshold = round((max(below) + min(above)) / 2, 4)
    return Calibration(
        threshold,
        best[1],
        best[2],
        sorted(s.confidence for s in pos),
        sorted(s.confidence for s in neg),
    )
