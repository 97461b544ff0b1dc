"""Query benchmark: retrieval and extractive answer latency over the eval questions.

Figures, not a pass/fail test. Model load and index load are excluded (warm-up first); each
question is answered once for retrieval alone and once end to end. The baseline in the same
run is the embedder's own query latency (the floor every dense retrieval pays). CPU time per
answer (all of the process's threads) is reported beside wall time: on a shared machine it is
the steadier figure.
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from assistant.answer import Assistant


@dataclass
class QueryBench:
    questions: int
    embed_p50_ms: float
    embed_p95_ms: float
    retrieval_p50_ms: float
    retrieval_p95_ms: float
    answer_p50_ms: float
    answer_p95_ms: float
    answer_cpu_p50_ms: float
    answer_cpu_p95_ms: float
    answers_per_s: float
    peak_rss_mb: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1] * 1000


def bench_query(assistant: Assistant, questions: Sequence[str], rounds: int = 2) -> QueryBench:
    assistant.warm_up()
    assistant.answer(questions[0])  # first call pays lazy set-up
    embed, retrieval, answer, cpu = [], [], [], []
    wall = 0.0
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            assistant.retriever.embedder.embed_query(q)
            embed.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            assistant.retriever.retrieve(q)
            retrieval.append(time.perf_counter() - t0)
            c0 = time.process_time()
            t0 = time.perf_counter()
            assistant.answer(q)
            answer.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            wall += answer[-1]
    return QueryBench(
        questions=len(questions),
        embed_p50_ms=statistics.median(embed) * 1000,
        embed_p95_ms=_pct(embed, 95),
        retrieval_p50_ms=statistics.median(retrieval) * 1000,
        retrieval_p95_ms=_pct(retrieval, 95),
        answer_p50_ms=statistics.median(answer) * 1000,
        answer_p95_ms=_pct(answer, 95),
        answer_cpu_p50_ms=statistics.median(cpu) * 1000,
        answer_cpu_p95_ms=_pct(cpu, 95),
        answers_per_s=len(answer) / wall if wall else 0.0,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
