"""Learning the answerability scorer (assistant.answer.answerability) from eval sets.

Every question is answered once with the scorer off: what is kept is the question, its
embedding (the vector retrieval searched with), the answer's confidence, whether the answer was
refused anyway (a rule, or confidence below its threshold), and whether the corpus answers it.
The scorer reads the embedding and the question's words (those found in at least `min_count`
training questions), the words with their own, heavier penalty (`word_l2`).

The figures that matter are on questions the scorer has not seen. With several eval sets each
set is held out in turn (`held_out_scores`): it is scored by a scorer learnt on the other sets,
so a set's own wordings never help it. The threshold is then chosen on those held-out scores:
the lowest that refuses at most `budget` of the answerable questions beyond those refused
anyway. The shipped scorer is learnt on all sets, with that threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assistant.answer import Assistant
from assistant.answer.answerability import (
    Answerability,
    choose_threshold,
    fit_blocks,
    vocabulary,
    word_matrix,
)
from assistant.retrieval import Filters, Retrieval
from evals.harness import EvalItem


@dataclass
class Example:
    group: str  # the eval set it comes from (held out together)
    vector: npt.NDArray[np.float64]
    confidence: float
    unanswerable: bool
    refused_anyway: bool
    question: str = ""


@dataclass
class SetFigures:
    name: str
    unanswerable: int
    answerable: int
    refused_before: int  # unanswerable refused without the scorer
    refused_after: int  # … and with the held-out scorer
    false_before: int  # answerable refused without the scorer
    false_after: int


def collect(
    assistant: Assistant,
    items: Sequence[tuple[str, EvalItem]],
    progress: Callable[[int, int], None] | None = None,
) -> list[Example]:
    """Answer each (set name, item) with the assistant as configured (its scorer off)."""
    out = []
    retriever = assistant.retriever
    original = retriever.retrieve
    shadowed = "retrieve" in vars(retriever)  # already replaced on the instance
    seen: dict[str, Retrieval] = {}

    def keep(question: str, filters: Filters | None = None, k: int | None = None) -> Retrieval:
        seen["retrieval"] = original(question, filters, k)
        return seen["retrieval"]

    retriever.retrieve = keep  # type: ignore[method-assign]
    try:
        for n, (group, item) in enumerate(items, 1):
            seen.clear()
            answer = assistant.answer(item.question, lang=item.lang)
            vector = seen["retrieval"].vector if "retrieval" in seen else None
            if vector is None:
                raise ValueError("retrieval returned no question vector")
            out.append(
                Example(
                    group=group,
                    vector=np.asarray(vector, dtype=np.float64),
                    confidence=answer.confidence,
                    unanswerable=not item.answerable,
                    refused_anyway=answer.refused,
                    question=item.question,
                )
            )
            if progress:
                progress(n, len(items))
    finally:
        if shadowed:
            retriever.retrieve = original  # type: ignore[method-assign]
        else:
            del retriever.retrieve  # the class's method again
    return out


def _arrays(
    examples: Sequence[Example],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    return (
        np.vstack([e.vector for e in examples]),
        np.array([e.confidence for e in examples], dtype=np.float64),
        np.array([e.unanswerable for e in examples], dtype=bool),
    )


def _folds(examples: Sequence[Example], folds: int) -> list[int]:
    """The fold of each example: its eval set when there are several, else dealt round."""
    groups = sorted({e.group for e in examples})
    if len(groups) > 1:
        return [groups.index(e.group) for e in examples]
    return [n % folds for n in range(len(examples))]


@dataclass(frozen=True)
class Words:
    """How the scorer reads the question's words: None (it does not), or from the words found
    in at least `min_count` training questions, with an L2 penalty of `l2`."""

    l2: float = 1.0
    min_count: int = 2


def _fit(
    examples: Sequence[Example], l2: float, words: Words | None
) -> tuple[npt.NDArray[np.float64], dict[str, float], float, float]:
    """(vector weights, word weights, conf_weight, bias) learnt on `examples`."""
    x, conf, y = _arrays(examples)
    blocks = [(x, l2)]
    vocab: list[str] = []
    if words is not None:
        questions = [e.question for e in examples]
        vocab = vocabulary(questions, words.min_count)
        if vocab:
            blocks.append((word_matrix(questions, vocab), words.l2))
    weights, cw, b = fit_blocks(blocks, conf, y)
    word_weights = dict(zip(vocab, (float(v) for v in weights[1]), strict=True)) if vocab else {}
    return weights[0], word_weights, cw, b


def _score(
    examples: Sequence[Example],
    w: npt.NDArray[np.float64],
    word_weights: dict[str, float],
    cw: float,
    b: float,
) -> npt.NDArray[np.float64]:
    scorer = Answerability(w, cw, b, 0.0, "", words=word_weights)
    return np.array([scorer.score(e.vector, e.confidence, e.question) for e in examples])


def held_out_scores(
    examples: Sequence[Example], l2: float, folds: int = 5, words: Words | None = None
) -> npt.NDArray[np.float64]:
    """Each example's score from a scorer learnt without its fold (its eval set): the
    vocabulary too comes from the other folds only."""
    fold = _folds(examples, folds)
    scores = np.zeros(len(examples))
    for f in sorted(set(fold)):
        test = [n for n, g in enumerate(fold) if g == f]
        train = [e for e, g in zip(examples, fold, strict=True) if g != f]
        w, ww, cw, b = _fit(train, l2, words)
        scores[test] = _score([examples[n] for n in test], w, ww, cw, b)
    return scores


def figures_per_set(
    examples: Sequence[Example], refused: npt.NDArray[np.bool_]
) -> list[SetFigures]:
    out = []
    for name in sorted({e.group for e in examples}):
        idx = [n for n, e in enumerate(examples) if e.group == name]
        un = [n for n in idx if examples[n].unanswerable]
        an = [n for n in idx if not examples[n].unanswerable]
        out.append(
            SetFigures(
                name=name,
                unanswerable=len(un),
                answerable=len(an),
                refused_before=sum(examples[n].refused_anyway for n in un),
                refused_after=sum(bool(refused[n]) for n in un),
                false_before=sum(examples[n].refused_anyway for n in an),
                false_after=sum(bool(refused[n]) for n in an),
            )
        )
    return out


def learn(
    examples: Sequence[Example],
    embedder: str,
    l2: float,
    budget: float,
    folds: int = 5,
    trained_on: str = "",
    words: Words | None = None,
) -> tuple[Answerability, npt.NDArray[np.float64], list[SetFigures]]:
    """The scorer learnt on all examples, with the threshold chosen on held-out scores; the
    held-out scores; and what the held-out scorer refuses per set at that threshold."""
    y = np.array([e.unanswerable for e in examples], dtype=bool)
    anyway = np.array([e.refused_anyway for e in examples], dtype=bool)
    held = held_out_scores(examples, l2, folds, words)
    threshold = choose_threshold(held, y, anyway, budget)
    refused = anyway | (held > threshold)
    w, ww, cw, b = _fit(examples, l2, words)
    scorer = Answerability(w, cw, b, threshold, embedder, trained_on, ww)
    return scorer, held, figures_per_set(examples, refused)


__all__ = [
    "Example",
    "SetFigures",
    "Words",
    "collect",
    "figures_per_set",
    "held_out_scores",
    "learn",
]
