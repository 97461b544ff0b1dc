"""A second stage over the fused candidates: a linear scorer over what each retriever saw.

Rank fusion counts only positions, so a passage that every list has at rank 12 loses to one a
single list has at rank 1, and how well a passage's heading matches the question plays no part.
The second stage looks again at the first `depth` fused candidates with features that say how
each was found (fused score and rank, dense similarity, BM25 score, in how many lists), how
well its heading and text cover the question's words (weighted by rarity), what it is
(named source, referenced, other language, recital, authority), and where each kind of list
put it (reference, scoped, intent, notes by words, notes by meaning, dense, lexical, one
sentence of the question), and orders them by a weighted sum of these. The per-list positions
let the weights learn what the fixed fusion weights cannot: that a provision whose
plain-language note matches the question first is likely the answer even when the other lists
rank it low. The weights are learnt from the development sets by `evals.train_rerank`
(pairwise logistic loss: a gold passage should score above each other candidate of its
question) and shipped in `knowledge/rerank.json`. No model is downloaded: the scorer is a dot
product.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Where each kind of first-stage list put the passage, 10 / (10 + rank), 0 when absent: each
# feature with the list names (retrieval.Retriever.retrieve) it reads.
LIST_FEATURES: dict[str, tuple[str, ...]] = {
    # an explicit reference (the referenced provisions, in order)
    "at_reference": ("reference",),
    # dense or lexical within the sources the question names, implies or links
    "at_scoped": ("scoped",),
    # entry-into-force, definition or time-limit provisions the kind of question asks for
    "at_intent": ("commencement", "definition", "deadline"),
    "at_notes": ("notes",),  # BM25 over the plain-language notes
    "at_notes_dense": ("notes-dense",),  # the notes' dense similarity
    "at_dense": ("dense",),  # dense search in the passage's language partition
    "at_lexical": ("lexical",),  # BM25 in the passage's language partition
    "at_sentence": ("dense-sentence",),  # dense search by one sentence of a long question
}
# a list name -> the position of its feature among LIST_FEATURES
LIST_GROUP: dict[str, int] = {
    name: g for g, names in enumerate(LIST_FEATURES.values()) for name in names
}

FEATURES: tuple[str, ...] = (
    "fused_rel",  # fused score / the best fused score
    "inv_rank",  # 1 / (1 + fused rank)
    "dense",  # dense similarity to the question (carried over for the other language)
    "dense_gap",  # that similarity minus the best in the passage's language partition
    "lexical_rel",  # BM25 score / the best in the passage's partition (0 when not retrieved)
    "lists",  # share of the fused lists that hold the passage
    "header_cover",  # share of the question's word weight (idf) found in the heading
    "text_cover",  # share of the question's word weight found in heading and text
    "named",  # from a source the question names
    "implied",  # from a source the question's topic points to
    "referenced",  # an explicit reference resolves to it
    "other_language",  # in the other language than the question
    "preamble",  # a recital or preamble
    "authority",  # 1 law … 8 other, scaled to [0, 1]
    "not_in_force",  # not in force on the question's date
    *LIST_FEATURES,
)


@dataclass(frozen=True)
class Reranker:
    """Feature weights over standardised features (x - mean) / scale."""

    weights: npt.NDArray[np.float64]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    names: tuple[str, ...] = FEATURES
    trained_on: str = ""

    def score(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = ((features - self.mean) / self.scale) @ self.weights
        return out

    def order(self, features: npt.NDArray[np.float64]) -> list[int]:
        """Candidate indices, best first; ties keep the fused order."""
        s = self.score(features)
        return sorted(range(len(s)), key=lambda j: (-float(s[j]), j))

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(self.names),
                "weights": [round(float(w), 6) for w in self.weights],
                "mean": [round(float(m), 6) for m in self.mean],
                "scale": [round(float(s), 6) for s in self.scale],
                "trained_on": self.trained_on,
            },
            indent=2,
            ensure_ascii=False,
        )

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Reranker:
        """The scorer in `path`. Its features must be exactly this module's, in order: weights
        learnt for other features would silently score the wrong columns."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the reranker weights {path}: {exc}") from exc
        names = tuple(raw.get("features", ()))
        if names != FEATURES:
            raise ValueError(
                f"{path} was trained on features {list(names)}, not on {list(FEATURES)}: "
                "train it again (regelrett train-rerank)"
            )
        arrays = [
            np.asarray(raw.get(key, ()), dtype=np.float64) for key in ("weights", "mean", "scale")
        ]
        if any(a.shape != (len(FEATURES),) for a in arrays):
            raise ValueError(f"{path}: weights, mean and scale need {len(FEATURES)} values each")
        if not np.all(arrays[2] > 0):
            raise ValueError(f"{path}: every scale must be positive")
        return cls(arrays[0], arrays[1], arrays[2], FEATURES, str(raw.get("trained_on", "")))


@dataclass
class Group:
    """One question's candidates: their features and which of them hit a gold passage."""

    features: npt.NDArray[np.float64]
    relevant: npt.NDArray[np.bool_]


def train(
    groups: Sequence[Group], l2: float = 0.01, steps: int = 800, rate: float = 0.5
) -> Reranker:
    """Weights that rank each group's relevant candidates above its others: full-batch
    gradient descent on the mean pairwise logistic loss, plus `l2` times the squared weights.
    Groups without both a relevant and another candidate teach nothing and are left out."""
    useful = [g for g in groups if g.relevant.any() and not g.relevant.all()]
    if not useful:
        raise ValueError("no question has both a gold candidate and another one to learn from")
    stacked = np.vstack([g.features for g in useful])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    pairs = []
    for g in useful:
        x = (g.features - mean) / scale
        pos, neg = x[g.relevant], x[~g.relevant]
        # every relevant candidate against every other: differences, weighted so that each
        # question counts once however many candidates it has
        diff = (pos[:, None, :] - neg[None, :, :]).reshape(-1, x.shape[1])
        pairs.append((diff, 1.0 / len(diff)))
    d = np.vstack([p for p, _ in pairs])
    weight = np.concatenate([np.full(len(p), w) for p, w in pairs]) / len(pairs)
    w = np.zeros(d.shape[1])
    for _ in range(steps):
        margin = d @ w
        # d/dw of log(1 + exp(-margin)), summed with the pair weights
        sig = 0.5 * (1.0 - np.tanh(margin / 2.0))  # = 1 / (1 + exp(margin)), without overflow
        grad = -(d * (weight * sig)[:, None]).sum(axis=0) + 2 * l2 * w
        w -= rate * grad
    return Reranker(w, mean, scale)


def pairwise_loss(reranker: Reranker, groups: Sequence[Group]) -> float:
    """Mean over questions of the mean pairwise logistic loss (for reports and tests)."""
    losses = []
    for g in groups:
        if not g.relevant.any() or g.relevant.all():
            continue
        s = reranker.score(g.features)
        margins = s[g.relevant][:, None] - s[~g.relevant][None, :]
        losses.append(float(np.mean(np.logaddexp(0.0, -margins))))
    return sum(losses) / len(losses) if losses else math.nan


__all__ = ["FEATURES", "LIST_FEATURES", "LIST_GROUP", "Group", "Reranker", "pairwise_loss", "train"]
