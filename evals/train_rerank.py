"""Training the second stage (assistant.retrieval.rerank) on an eval set, and checking it.

Each answerable question is retrieved once; the first stage's candidates (the top
`rerank_depth` of the fused list) are labelled by whether they hit one of the question's gold
passages, by the harness's own rule. The scorer learns to put those first.

`cross_validate` tells how the scorer does on questions it was not trained on: the items are
dealt into folds, each fold is ranked by a scorer trained on the others, and the candidates'
hit@5 and MRR@10 are reported beside the fused order's (the second stage alone, before
one-passage-per-provision and the rest of the pipeline). `pipeline_cross_validation` does the
same through the whole pipeline, as the eval harness scores it: each fold's questions are
answered with the weights of the other folds, beside answers with the second stage off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.records import Passage
from assistant.retrieval import Retriever
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.rerank import Group, Reranker, train
from assistant.settings import Settings
from evals.harness import (
    MAX_RANK,
    EvalItem,
    ItemResult,
    Metrics,
    RunPassage,
    compute_metrics,
    gold_rank,
    passage_hits,
    run_eval,
)
from evals.system import run_passage


@dataclass
class Example:
    item: EvalItem
    group: Group
    passages: list[RunPassage]  # the candidates, in fused order


def _run_passage(index: LexicalIndex, i: int) -> RunPassage:
    """Chunk i as the eval harness sees a passage."""
    return run_passage(Passage.from_store(index.ids[i], index.texts[i], index.metas[i], 0.0))


def collect(
    retriever: Retriever,
    items: Sequence[EvalItem],
    progress: Callable[[int, int], None] | None = None,
) -> list[Example]:
    """The first stage's candidates of every answerable item, labelled by its gold."""
    out = []
    answerable = [it for it in items if it.answerable and it.gold]
    for n, item in enumerate(answerable, start=1):
        # the weights in use are not needed (nor loadable, when the features just changed)
        retrieval = retriever.retrieve(item.question, rerank=False)
        index = retrieval.index or retriever.index()
        if retrieval.features is None or not retrieval.candidates:
            raise ValueError("the second stage is off (retrieval.rerank_depth = 0)")
        passages = [_run_passage(index, i) for i in retrieval.candidates]
        relevant = np.array([any(passage_hits(p, g) for g in item.gold) for p in passages])
        out.append(Example(item, Group(retrieval.features, relevant), passages))
        if progress is not None:
            progress(n, len(answerable))
    return out


def fold_of(examples: Sequence[Example], folds: int) -> list[int]:
    """Each example's fold: dealt in turn after sorting by id, so the split is the same on
    every run and each fold mixes languages and kinds as the file orders them."""
    order = sorted(range(len(examples)), key=lambda j: examples[j].item.id)
    out = [0] * len(examples)
    for n, j in enumerate(order):
        out[j] = n % folds
    return out


@dataclass
class Ranked:
    hit5: float
    mrr: float
    n: int


def ranked_metrics(examples: Sequence[Example], order: Callable[[Example], list[int]]) -> Ranked:
    """hit@5 and MRR@10 of the candidates in the order `order` gives (by the harness's rule,
    multi-source items included)."""
    if not examples:
        return Ranked(0.0, 0.0, 0)
    hits = rr = 0.0
    for ex in examples:
        ranked = [ex.passages[j] for j in order(ex)]
        rank = gold_rank(ex.item, ranked)
        hits += rank is not None and rank <= 5
        rr += 1.0 / rank if rank is not None and rank <= MAX_RANK else 0.0
    return Ranked(hits / len(examples), rr / len(examples), len(examples))


def fused_order(ex: Example) -> list[int]:
    return list(range(len(ex.passages)))


def by(reranker: Reranker) -> Callable[[Example], list[int]]:
    return lambda ex: reranker.order(ex.group.features)


@dataclass
class CrossValidation:
    fused: Ranked
    reranked: Ranked
    folds: list[tuple[Ranked, Ranked]]  # per fold: fused, reranked


def cross_validate(examples: Sequence[Example], folds: int, l2: float) -> CrossValidation:
    if folds < 2 or folds > len(examples):
        raise ValueError(f"--folds must be between 2 and the {len(examples)} answerable items")
    assigned = fold_of(examples, folds)
    per_fold = []
    reranked_order: dict[int, list[int]] = {}
    for f in range(folds):
        test = [j for j, a in enumerate(assigned) if a == f]
        model = train([examples[j].group for j, a in enumerate(assigned) if a != f], l2=l2)
        for j in test:
            reranked_order[j] = model.order(examples[j].group.features)
        part = [examples[j] for j in test]
        per_fold.append((ranked_metrics(part, fused_order), ranked_metrics(part, by(model))))
    index_of = {id(ex): j for j, ex in enumerate(examples)}
    return CrossValidation(
        ranked_metrics(examples, fused_order),
        ranked_metrics(examples, lambda ex: reranked_order[index_of[id(ex)]]),
        per_fold,
    )


def pipeline_cross_validation(
    settings: Settings, examples: Sequence[Example], folds: int, l2: float, workdir: Path
) -> tuple[Metrics, Metrics]:
    """hit@k and MRR@10 of the whole pipeline over `examples`, with the second stage off and
    with each fold answered by weights trained on the other folds (written to `workdir`)."""
    from assistant.wiring import open_assistant
    from evals.system import RegelrettSystem

    if folds < 2 or folds > len(examples):
        raise ValueError(f"--folds must be between 2 and the {len(examples)} answerable items")
    retrieval = settings.retrieval
    off = settings.model_copy(
        update={"retrieval": retrieval.model_copy(update={"rerank_depth": 0})}
    )
    with open_assistant(off) as assistant:
        plain = run_eval(RegelrettSystem(assistant), [ex.item for ex in examples]).results
    assigned = fold_of(examples, folds)
    reranked: list[ItemResult] = []
    for f in range(folds):
        model = train([ex.group for ex, a in zip(examples, assigned, strict=True) if a != f], l2)
        path = workdir / f"rerank-fold-{f}.json"
        model.save(path)
        with_fold = settings.model_copy(
            update={"retrieval": retrieval.model_copy(update={"rerank_weights": str(path)})}
        )
        test = [ex.item for ex, a in zip(examples, assigned, strict=True) if a == f]
        with open_assistant(with_fold) as assistant:
            reranked += run_eval(RegelrettSystem(assistant), test).results
    return compute_metrics(plain), compute_metrics(reranked)


__all__ = [
    "CrossValidation",
    "Example",
    "Ranked",
    "by",
    "collect",
    "cross_validate",
    "fold_of",
    "fused_order",
    "pipeline_cross_validation",
    "ranked_metrics",
]
