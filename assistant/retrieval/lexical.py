"""The chunk catalogue and its BM25 index.

Built from the store (so it always describes exactly what the store holds), persisted in the
data dir with the store's generation stamp, and rebuilt when the store has changed since —
whether this process or another one (a server-mode ingest) changed it.
"""

from __future__ import annotations

import math
import os
import pickle
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

from assistant.retrieval.text import Vocabulary, analyse, stem_lang, words
from assistant.store import StoredChunk, VectorStore

FORMAT_VERSION = 7  # bump whenever the class changes shape


@dataclass
class DocInfo:
    """What the catalogue knows of one indexed source."""

    source_id: str
    tenant: str
    title: str
    short_title: str
    abbreviation: str
    doc_type: str
    language: str
    status: str
    url: str
    labels: set[str] = field(default_factory=set)
    adopted: str = ""  # ISO date the act was adopted, where the source says ("2025-06-20")


class LexicalIndex:
    """All chunks (ids, texts, metadata) with a BM25 index over header + text, and the chunks'
    vectors (unit length) when the store gave them, for exact dense search in memory."""

    def __init__(self, chunks: Iterable[StoredChunk], generation: str = "") -> None:
        self.generation = generation
        self.ids: list[str] = []
        self.texts: list[str] = []
        self.metas: list[dict[str, Any]] = []
        vectors: list[npt.NDArray[np.float32]] = []
        for c in chunks:
            self.ids.append(c.id)
            self.texts.append(c.text)
            self.metas.append(dict(c.metadata))
            if c.vector is not None:
                vectors.append(c.vector)
        self.vectors = unit_rows(vectors) if vectors and len(vectors) == len(self.ids) else None
        self.position = {cid: i for i, cid in enumerate(self.ids)}
        counts: Counter[str] = Counter()
        for meta, text in zip(self.metas, self.texts, strict=True):
            if stem_lang(str(meta.get("language", "nb"))) == "no":
                counts.update(words(text))
        self.vocab = Vocabulary(w for w, n in counts.items() if n >= 2)
        corpus = [
            analyse(f"{m.get('header', '')}\n{t}", str(m.get("language", "nb")), self.vocab)
            for m, t in zip(self.metas, self.texts, strict=True)
        ]
        self.doc_freq: Counter[str] = Counter()
        for tokens in corpus:
            self.doc_freq.update(set(tokens))
        self.bm25 = bm25s.BM25()
        if corpus:
            self.bm25.index(corpus, show_progress=False)
        self.languages = np.array([stem_lang(str(m.get("language", "nb"))) for m in self.metas])
        self.sources = np.array([str(m.get("source_id", "")) for m in self.metas])
        self.by_label: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.docs: dict[tuple[str, str], DocInfo] = {}
        for i, meta in enumerate(self.metas):
            self._register(i, meta)

    def _register(self, i: int, meta: dict[str, Any]) -> None:
        key = (str(meta.get("tenant", "")), str(meta.get("source_id", "")))
        doc = self.docs.get(key)
        if doc is None:
            doc = DocInfo(
                source_id=key[1],
                tenant=key[0],
                title=str(meta.get("title", "")),
                short_title=str(meta.get("short_title", "")),
                abbreviation=str(meta.get("abbreviation", "")),
                doc_type=str(meta.get("doc_type", "other")),
                language=str(meta.get("language", "nb")),
                status=str(meta.get("status", "unknown")),
                url=str(meta.get("url", "")),
                adopted=str(meta.get("adopted", "")),
            )
            self.docs[key] = doc
        for label in str(meta.get("section_labels", meta.get("section", ""))).split("|"):
            if label:
                doc.labels.add(label)
                self.by_label[(key[1], label)].append(i)

    @classmethod
    def from_store(cls, store: VectorStore, generation: str, max_vectors: int) -> LexicalIndex:
        """Everything the store holds; its vectors too, unless it holds more than
        `max_vectors` chunks (0: never), where dense search stays in the store."""
        with_vectors = max_vectors > 0 and store.count() <= max_vectors
        return cls(store.iter_all(batch_size=1000, with_vectors=with_vectors), generation)

    def __len__(self) -> int:
        return len(self.ids)

    def mask(
        self, allowed: npt.NDArray[np.bool_] | None, family: str | None
    ) -> npt.NDArray[np.bool_]:
        """Chunks in one language family ('no' or 'en'), within an optional allowed mask."""
        out = np.ones(len(self.ids), dtype=bool) if allowed is None else allowed.copy()
        if family is not None:
            out &= self.languages == family
        return out

    def search(
        self, query: str, family: str, k: int, allowed: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float]]:
        """Top-k chunk positions and BM25 scores in one language family."""
        if not self.ids:
            return []
        tokens = analyse(query, "en" if family == "en" else "nb", self.vocab)
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens, weight_mask=self.mask(allowed, family))
        top = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, token: str) -> float:
        """How rare an analysed token is across the chunks: BM25's (Lucene) inverse document
        frequency, the weight the lexical search gives it. Always above zero."""
        df = self.doc_freq.get(token, 0)
        return math.log(1 + (len(self.ids) - df + 0.5) / (df + 0.5))

    def dense_scores(self, vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Cosine similarity of every chunk to `vector` (the index must hold vectors)."""
        if self.vectors is None:
            raise ValueError("this index holds no vectors")
        q = np.asarray(vector, dtype=np.float32).ravel()
        norm = float(np.linalg.norm(q))
        unit = (q / norm if norm > 0 else q).astype(np.float32)
        scores: npt.NDArray[np.float32] = self.vectors @ unit
        return scores

    def sentence_tokens(self, text: str, lang: str) -> list[str]:
        return analyse(text, lang, self.vocab)

    # -- persistence --------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a name of its own per writer: API workers and an ingest may save at the same time,
        # and each file must be whole when it replaces the saved index
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        with tmp.open("wb") as f:
            pickle.dump((FORMAT_VERSION, self), f, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            tmp.replace(path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> LexicalIndex | None:
        """The saved index, or None when absent, unreadable or of another format version."""
        try:
            with path.open("rb") as f:
                version, index = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            return None
        if version != FORMAT_VERSION or not isinstance(index, cls):
            return None
        return index


def unit_rows(vectors: list[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    """The vectors stacked as rows of length one (a zero row stays zero)."""
    matrix = np.vstack(vectors).astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)
