"""Calibrating the refusal threshold on our own eval set.

Every question is answered with refusal switched off; the confidence of each answer is recorded
beside whether the corpus answers the question. The threshold chosen is the one that refuses
the most unanswerable questions while refusing at most `max_false_refusals` of the answerable
ones. Run on `evals/datasets/regelrett-nb.jsonl` only (the shared sample stays a check).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer import Assistant
from evals.harness import EvalItem


@dataclass
class Calibration:
    threshold: float
    refusal_accuracy: float
    false_refusal_rate: float
    answerable: list[float]
    unanswerable: list[float]


def confidences(assistant: Assistant, items: Sequence[EvalItem]) -> list[tuple[float, bool]]:
    out = []
    for item in items:
        answer = assistant.answer(item.question, lang=item.lang)
        out.append((answer.confidence, item.answerable))
    return out


def choose_threshold(
    scored: Sequence[tuple[float, bool]], max_false_refusals: float = 0.1
) -> Calibration:
    pos = sorted(c for c, ok in scored if ok)
    neg = sorted(c for c, ok in scored if not ok)
    candidates = sorted({0.0, *(round(c + 1e-4, 4) for c, _ in scored)})
    best: Calibration | None = None
    for t in candidates:
        false_ref = sum(c < t for c in pos) / max(len(pos), 1)
        if false_ref > max_false_refusals:
            break
        acc = sum(c < t for c in neg) / max(len(neg), 1)
        if (
            best is None
            or acc > best.refusal_accuracy
            or (acc == best.refusal_accuracy and false_ref < best.false_refusal_rate)
        ):
            best = Calibration(t, acc, false_ref, pos, neg)
    assert best is not None
    return best
