"""Whether the sources answer a question, learnt from what questions ask.

Retrieval confidence says how close the best passages are; it cannot tell a question about a
provision from a question one step beside it in the same words ("what does § 32 say about
fees" against "what fee does our municipality charge"). The kind of ask is in the question
itself: a figure, a person or office, local practice, a product's menu, an event, an opinion.
The rules in `facts.py` and `figures.py` name such asks word by word, and new wordings slip
past them. This scorer reads the question's embedding (the vector retrieval already computed),
the question's words, and the retrieval confidence, and gives the log-odds that the question is
not answered by the sources: a logistic regression learnt from our eval sets by
`evals.train_refusal`, shipped in `knowledge/answerability.json` with the threshold chosen on
held-out predictions. The embedding carries what a question is about; the words carry the kind
of ask the embedding blurs ("worth it", "which municipalities", "kommer til å"), each word with
its own weight, learnt with a heavier penalty than the embedding's. It belongs to the embedder
it was learnt with; with another embedder it is not used.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

VectorLike: TypeAlias = Sequence[float] | npt.NDArray[np.floating]
_WORD = re.compile(r"\w+")


def question_words(text: str) -> set[str]:
    """The distinct words of a question, lower-cased: what the word weights read."""
    return set(_WORD.findall(text.lower()))


def vocabulary(questions: Iterable[str], min_count: int = 2) -> list[str]:
    """The words found in at least `min_count` of the questions, sorted: a word seen in one
    question only says more about that question than about a kind of ask."""
    counts: Counter[str] = Counter()
    for q in questions:
        counts.update(question_words(q))
    return sorted(w for w, n in counts.items() if n >= min_count)


def word_matrix(questions: Sequence[str], vocab: Sequence[str]) -> npt.NDArray[np.float64]:
    """One row per question: 1 where it holds the vocabulary's word."""
    column = {w: j for j, w in enumerate(vocab)}
    out = np.zeros((len(questions), len(vocab)))
    for i, q in enumerate(questions):
        for w in question_words(q):
            j = column.get(w)
            if j is not None:
                out[i, j] = 1.0
    return out


def embedder_model(embedder_id: str) -> str:
    """The model part of an embedder id: a new package version of the same model, or the same
    model served over HTTP, gives the same vectors."""
    return embedder_id.split("@", 1)[0]


@dataclass(frozen=True)
class Answerability:
    """Log-odds that a question is unanswerable: weights · vector + the weights of the
    question's words + conf_weight · confidence + bias; above `threshold` it is refused."""

    weights: npt.NDArray[np.float64]
    conf_weight: float
    bias: float
    threshold: float
    embedder: str
    trained_on: str = ""
    words: Mapping[str, float] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.weights.shape[0])

    def score(self, vector: VectorLike, confidence: float, question: str = "") -> float:
        v = np.asarray(vector, dtype=np.float64)
        if v.shape != self.weights.shape:
            raise ValueError(f"a vector of {v.shape[0]} values, the scorer wants {self.dim}")
        words = sum(self.words.get(w, 0.0) for w in question_words(question)) if question else 0
        return float(v @ self.weights + words + self.conf_weight * confidence + self.bias)

    def refuses(self, vector: VectorLike, confidence: float, question: str = "") -> bool:
        return self.score(vector, confidence, question) > self.threshold

    def fits(self, embedder_id: str, dim: int) -> bool:
        return embedder_model(embedder_id) == embedder_model(self.embedder) and dim == self.dim

    def to_json(self) -> str:
        return json.dumps(
            {
                "embedder": self.embedder,
                "dim": self.dim,
                "threshold": round(self.threshold, 6),
                "bias": round(self.bias, 6),
                "conf_weight": round(self.conf_weight, 6),
                "trained_on": self.trained_on,
                "weights": [round(float(w), 6) for w in self.weights],
                "words": {
                    w: round(float(x), 6) for w, x in sorted(self.words.items()) if abs(x) >= 1e-6
                },
            },
            ensure_ascii=False,
        )

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Answerability:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the answerability scorer {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: not a JSON object")
        weights = np.asarray(raw.get("weights", ()), dtype=np.float64)
        if weights.ndim != 1 or weights.shape[0] == 0 or weights.shape[0] != raw.get("dim"):
            raise ValueError(f"{path}: 'weights' must hold 'dim' numbers")
        words = raw.get("words", {})
        if not isinstance(words, dict) or not all(
            isinstance(w, str) and isinstance(x, int | float) and not isinstance(x, bool)
            for w, x in words.items()
        ):
            raise ValueError(f"{path}: 'words' must map words to numbers")
        try:
            return cls(
                weights=weights,
                conf_weight=float(raw["conf_weight"]),
                bias=float(raw["bias"]),
                threshold=float(raw["threshold"]),
                embedder=str(raw["embedder"]),
                trained_on=str(raw.get("trained_on", "")),
                words={w: float(x) for w, x in words.items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: missing or bad field {exc}") from exc


def fit(
    vectors: npt.NDArray[np.floating],
    confidences: npt.NDArray[np.floating],
    unanswerable: npt.NDArray[np.bool_],
    l2: float = 0.03,
    iterations: int = 30,
) -> tuple[npt.NDArray[np.float64], float, float]:
    """Logistic regression by Newton's method: (weights, conf_weight, bias). The vector's
    weights carry an L2 penalty of `l2`; the confidence weight and the bias do not."""
    (w,), cw, b = fit_blocks([(vectors, l2)], confidences, unanswerable, iterations)
    return w, cw, b


def fit_blocks(
    blocks: Sequence[tuple[npt.NDArray[np.floating], float]],
    confidences: npt.NDArray[np.floating],
    unanswerable: npt.NDArray[np.bool_],
    iterations: int = 30,
) -> tuple[list[npt.NDArray[np.float64]], float, float]:
    """Logistic regression by Newton's method over blocks of features (one row per question),
    each block with its own L2 penalty (the embedding; the question's words); the confidence
    weight and the bias carry none. Returns each block's weights, conf_weight and bias."""
    y = np.asarray(unanswerable, dtype=np.float64)
    if y.min() == y.max():
        raise ValueError("need both answerable and unanswerable questions to learn from")
    mats = [np.asarray(m, dtype=np.float64).reshape(len(y), -1) for m, _ in blocks]
    x = np.hstack([*mats, np.asarray(confidences, dtype=np.float64)[:, None], np.ones((len(y), 1))])
    penalty = np.concatenate(
        [*(np.full(m.shape[1], l2) for m, (_, l2) in zip(mats, blocks, strict=True)), [1e-6] * 2]
    )  # confidence and bias: (almost) free
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 0.5 * (1.0 + np.tanh(0.5 * (x @ w)))  # the logistic, without overflow
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    out, start = [], 0
    for m in mats:
        out.append(w[start : start + m.shape[1]])
        start += m.shape[1]
    return out, float(w[-2]), float(w[-1])


def choose_threshold(
    scores: npt.NDArray[np.floating],
    unanswerable: npt.NDArray[np.bool_],
    refused_anyway: npt.NDArray[np.bool_],
    budget: float,
) -> float:
    """The lowest threshold that refuses at most `budget` of the answerable questions beyond
    those refused anyway (by the rules or the confidence threshold)."""
    s = np.asarray(scores, dtype=np.float64)
    answerable = ~np.asarray(unanswerable, dtype=bool)
    free = np.sort(s[answerable & ~np.asarray(refused_anyway, dtype=bool)])[::-1]
    allowed = int(budget * int(answerable.sum()))
    if allowed >= len(free):
        return float(free[-1]) - 1e-6 if len(free) else 0.0
    # refuse the `allowed` highest-scoring answerable questions, and nothing at or below the
    # next one: halfway between the two
    above = free[allowed - 1] if allowed > 0 else free[allowed] + 1.0
    return float((above + free[allowed]) / 2)


def auc(scores: npt.NDArray[np.floating], unanswerable: npt.NDArray[np.bool_]) -> float:
    """How often an unanswerable question scores above an answerable one (ties count half)."""
    s = np.asarray(scores, dtype=np.float64)
    u = np.asarray(unanswerable, dtype=bool)
    pos, neg = s[u], s[~u]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def load_for(path: Path, embedder_id: str, dim: int) -> Answerability | None:
    """The scorer in `path` if it fits the embedder, else None (logged)."""
    if not path.is_file():
        log.warning("no answerability scorer at %s: refusal rests on confidence and rules", path)
        return None
    scorer = Answerability.load(path)
    if not scorer.fits(embedder_id, dim):
        log.warning(
            "the answerability scorer %s was learnt with %s (%d dims), not %s (%d dims): not used",
            path,
            scorer.embedder,
            scorer.dim,
            embedder_id,
            dim,
        )
        return None
    return scorer


__all__ = [
    "Answerability",
    "auc",
    "choose_threshold",
    "embedder_model",
    "fit",
    "fit_blocks",
    "load_for",
    "question_words",
    "vocabulary",
    "word_matrix",
]
