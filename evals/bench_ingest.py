"""Ingest benchmark: figures, not a pass/fail test.

Runs a full ingest into a fresh data dir, then the embedder alone on a sample of the same chunk
texts (the baseline in the same run), then a re-ingest of the unchanged sources, and reports
documents, chunks, wall time, chunks/s, pipeline overhead over pure embedding, and peak RSS.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.settings import Settings
from ingest.pipeline import IngestReport
from ingest.service import DefaultSource, open_ingestor


@dataclass
class IngestBench:
    documents: int
    failed: int
    chunks: int
    wall_s: float
    chunks_per_s: float
    embed_in_pipeline_s: float
    raw_sample: int
    raw_embed_chunks_per_s: float
    pure_embedding_s: float
    overhead_pct: float
    reingest_s: float
    reingest_embedded: int
    peak_rss_mb: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(
    settings: Settings, sources: list[DefaultSource], sample: int = 300, seed: int = 7
) -> IngestBench:
    with tempfile.TemporaryDirectory(prefix="regelrett-bench-") as tmp:
        fresh = settings.model_copy(update={"data_dir": Path(tmp)})
        fresh = fresh.model_copy(update={"chroma": fresh.chroma.model_copy(update={"url": None})})
        with open_ingestor(fresh) as ing:
            ing.embedder.warm_up()
            report = _run(ing, sources)
            texts = [
                f"{c.metadata.get('header', '')}\n{c.text}"
                for c in ing.store.iter_all(batch_size=1000)
            ]
            rng = random.Random(seed)
            picked = rng.sample(texts, min(sample, len(texts)))
            t0 = time.perf_counter()
            for start in range(0, len(picked), settings.embedder.batch_size):
                ing.embedder.embed_passages(picked[start : start + settings.embedder.batch_size])
            raw_rate = len(picked) / max(time.perf_counter() - t0, 1e-9)
            again = _run(ing, sources)
    chunks = report.chunks_written
    pure = chunks / raw_rate if raw_rate else 0.0
    return IngestBench(
        documents=report.count("added"),
        failed=len(report.failed),
        chunks=chunks,
        wall_s=report.seconds,
        chunks_per_s=chunks / report.seconds if report.seconds else 0.0,
        embed_in_pipeline_s=report.embed_seconds,
        raw_sample=len(picked),
        raw_embed_chunks_per_s=raw_rate,
        pure_embedding_s=pure,
        overhead_pct=100.0 * (report.seconds - pure) / pure if pure else 0.0,
        reingest_s=again.seconds,
        reingest_embedded=again.chunks_embedded,
        peak_rss_mb=_peak_rss_mb(),
    )


def _run(ing: object, sources: list[DefaultSource]) -> IngestReport:
    from ingest.pipeline import Ingestor

    assert isinstance(ing, Ingestor)
    total = IngestReport()
    for src in sources:
        r = ing.run(
            [src.path],
            doc_type=src.doc_type,
            include=src.include,
            exclude=src.exclude,
            doc_type_rules=src.doc_types,
        )
        total.merge(r)
    return total
