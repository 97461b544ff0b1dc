"""The second stage: training the linear scorer, its weights file, and its place in retrieval."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.rerank import FEATURES, Group, Reranker, pairwise_loss, train
from evals.harness import EvalItem, Gold, RunPassage
from evals.train_rerank import Example, by, cross_validate, fold_of, fused_order, ranked_metrics

F = len(FEATURES)


def _groups(n: int, seed: int = 7) -> list[Group]:
    """Questions of 12 candidates whose one relevant candidate stands out on feature 6 (the
    heading's cover) while feature 1 (the fused rank) says nothing about it."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = rng.normal(size=(12, F))
        x[:, 1] = 1.0 / (1.0 + np.arange(12))
        relevant = np.zeros(12, dtype=bool)
        j = int(rng.integers(3, 12))  # never first in the fused order
        relevant[j] = True
        x[j, 6] += 3.0
        out.append(Group(x, relevant))
    return out


def test_training_learns_the_feature_that_marks_the_relevant_candidate() -> None:
    groups = _groups(40)
    model = train(groups)
    assert int(np.argmax(np.abs(model.weights))) == 6
    assert model.weights[6] > 0
    zero = Reranker(np.zeros(F), model.mean, model.scale)
    assert pairwise_loss(model, groups) < 0.5 * pairwise_loss(zero, groups)
    # and it orders unseen questions by it: the relevant one first in most of them
    fresh = _groups(40, seed=99)
    first = sum(bool(g.relevant[model.order(g.features)[0]]) for g in fresh)
    assert first >= 30


def test_groups_with_nothing_to_learn_are_left_out_and_none_at_all_is_an_error() -> None:
    none = Group(np.ones((3, F)), np.zeros(3, dtype=bool))
    every = Group(np.ones((2, F)), np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match="no question"):
        train([none, every])
    model = train([none, every, *_groups(10)])
    assert np.all(np.isfinite(model.weights))


def test_ties_keep_the_fused_order() -> None:
    model = Reranker(np.zeros(F), np.zeros(F), np.ones(F))
    assert model.order(np.ones((4, F))) == [0, 1, 2, 3]


def test_weights_file_round_trip_and_checks(tmp_path: Path) -> None:
    model = train(_groups(10))
    path = tmp_path / "rerank.json"
    model.save(path)
    again = Reranker.load(path)
    x = _groups(1, seed=3)[0].features
    assert np.allclose(again.score(x), model.score(x), atol=1e-4)

    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["features"] = raw["features"][:-1]
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="train it again"):
        Reranker.load(path)
    raw = json.loads(model.to_json())
    raw["scale"][0] = 0.0
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="positive"):
        Reranker.load(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read"):
        Reranker.load(path)


def test_the_shipped_weights_load() -> None:
    from assistant.resources import data_folder

    model = Reranker.load(data_folder("knowledge") / "rerank.json")
    assert model.weights.shape == (F,)
    assert model.trained_on  # says what it was learnt from
    # learnt from the development sets, never the shared sample or a blind held-out set
    assert "regelrett-nb" in model.trained_on and "dev-sample" not in model.trained_on
    assert "heldout13" not in model.trained_on and "heldout14" not in model.trained_on


def _example(n: int, gold_at: int, item_id: str) -> Example:
    """Candidates s0 … s{n-1} of one source; the gold is section `gold_at`; feature 7 marks it."""
    passages = [RunPassage("lov.md", f"§ {j}", [f"§ {j}"], None, None, "") for j in range(n)]
    x = np.zeros((n, F))
    x[:, 1] = 1.0 / (1.0 + np.arange(n))
    x[gold_at, 7] = 1.0
    relevant = np.arange(n) == gold_at
    item = EvalItem(item_id, "q", "nb", True, [Gold("lov.md", f"§ {gold_at}")])
    return Example(item, Group(x, relevant), passages)


def test_ranked_metrics_follow_the_harness_rule() -> None:
    examples = [_example(12, 0, "a"), _example(12, 4, "b"), _example(12, 11, "c")]
    fused = ranked_metrics(examples, fused_order)
    assert fused.n == 3
    assert fused.hit5 == pytest.approx(2 / 3)
    assert fused.mrr == pytest.approx((1 + 1 / 5 + 0) / 3)  # rank 12 is past MRR@10


def test_cross_validation_reranks_each_fold_with_a_scorer_not_trained_on_it() -> None:
    examples = [_example(10, 3 + j % 7, f"nb-{j:03d}") for j in range(20)]
    folds = fold_of(examples, 4)
    assert sorted(folds.count(f) for f in range(4)) == [5, 5, 5, 5]
    cv = cross_validate(examples, 4, l2=0.01)
    assert len(cv.folds) == 4
    assert cv.fused.hit5 < 1.0
    assert cv.reranked.hit5 == 1.0 and cv.reranked.mrr == 1.0
    model = train([ex.group for ex in examples])
    assert ranked_metrics(examples, by(model)).mrr == 1.0
    with pytest.raises(ValueError, match="folds"):
        cross_validate(examples, 1, l2=0.01)
