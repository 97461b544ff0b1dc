"""Soak: many simulated users over HTTP for minutes, with the server's memory watched.

Figures, not a pass/fail test (`regelrett bench soak --strict` turns errors and memory growth
into an exit code for a pipeline). Each simulated user is an asyncio task with its own
keep-alive `httpx.AsyncClient`; it thinks for a while (uniform 0.5-1.5 × `think_s`), then
does what a municipal user or legal adviser does:

- asks a question (`POST /v1/ask`) or asks it streamed (`POST /v1/ask/stream`, read to its
  `done` event, as the widget does);
- rates some of its answers afterwards (`POST /v1/feedback`);
- browses the sources: the list, one source's detail, or the section behind a citation it was
  given (`GET /v1/sources*`, as a legal adviser checking an answer does).

Per endpoint it records latency (p50, p95, p99; requests started after the warm-up), requests
per second and errors by kind (HTTP status, timeout, connection, a stream's error event or a
stream that ends without `done`). Every few seconds it samples the server's resident memory
(RSS) with psutil, summing the server process and all its children (`--workers N` starts one
child per worker), and reports the RSS after the warm-up against the RSS at the end.

By default it starts `regelrett serve` itself on a free loopback port (keys off, no rate
limits, extractive mode; the audit log goes to a temporary SQLite file unless
REGELRETT_DATABASE_URL is set). With `url` it targets a running service instead; its memory is
sampled only when its process id is given.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psutil

from assistant.settings import Settings
from evals.bench_http import cpu_seconds, free_port, server_env, stop_server, wait_ready

ASK = "POST /v1/ask"
STREAM = "POST /v1/ask/stream"
FEEDBACK = "POST /v1/feedback"
SOURCES = "GET /v1/sources"
SOURCE = "GET /v1/sources/{id}"
SECTION = "GET /v1/sources/{id}/sections/{label}"
ENDPOINTS = (ASK, STREAM, FEEDBACK, SOURCES, SOURCE, SECTION)


@dataclass
class SoakConfig:
    users: int = 25
    duration_s: float = 300.0
    warmup_s: float | None = None  # None: 20% of the duration, at most 60 s
    think_s: float = 3.0  # mean think time between a user's actions
    sample_every_s: float = 5.0
    feedback_rate: float = 0.3  # share of answers rated afterwards
    ask_share: float = 0.4  # the rest of the actions: stream_share, then browsing sources
    stream_share: float = 0.35
    timeout_s: float = 120.0
    seed: int = 7

    @property
    def warmup(self) -> float:
        if self.warmup_s is not None:
            return min(self.warmup_s, self.duration_s)
        return min(60.0, 0.2 * self.duration_s)


@dataclass
class EndpointStats:
    latencies: list[float] = field(default_factory=list)  # seconds, after the warm-up
    first_event: list[float] = field(default_factory=list)  # streams: to the first event
    requests: int = 0  # all, warm-up included
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class RssSample:
    t: float  # seconds since the load started
    rss_bytes: int
    processes: int


@dataclass
class SoakReport:
    config: SoakConfig
    url: str
    workers: int | None
    endpoints: dict[str, EndpointStats]
    samples: list[RssSample]
    wall_s: float
    measured_s: float  # from the end of the warm-up to the end of the load
    server_cpu_s: float | None = None
    load_before: float = 0.0
    load_after: float = 0.0
    server_log: str | None = None

    @property
    def errors(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for name, stats in self.endpoints.items():
            for kind, n in stats.errors.items():
                total[f"{name}: {kind}"] += n
        return total

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.endpoints.values())

    def rss_after_warmup(self) -> int | None:
        """The first sample taken once the warm-up was over (the last one if none was)."""
        after = [s for s in self.samples if s.t >= self.config.warmup]
        chosen = after or self.samples
        return chosen[0].rss_bytes if chosen else None

    def rss_end(self) -> int | None:
        return self.samples[-1].rss_bytes if self.samples else None

    def rss_peak(self) -> int | None:
        return max((s.rss_bytes for s in self.samples), default=None)

    def rss_growth_pct(self) -> float | None:
        start, end = self.rss_after_warmup(), self.rss_end()
        if not start or end is None:
            return None
        return (end - start) / start * 100

    def endpoint_rows(self) -> list[dict[str, Any]]:
        rows = []
        for name in ENDPOINTS:
            s = self.endpoints[name]
            if not s.requests:
                continue
            row: dict[str, Any] = {
                "endpoint": name,
                "requests": s.requests,
                "errors": sum(s.errors.values()),
                "p50_ms": _pct(s.latencies, 50),
                "p95_ms": _pct(s.latencies, 95),
                "p99_ms": _pct(s.latencies, 99),
                "requests_per_s": len(s.latencies) / self.measured_s if self.measured_s else 0.0,
            }
            if s.first_event:
                row["first_event_p50_ms"] = _pct(s.first_event, 50)
                row["first_event_p95_ms"] = _pct(s.first_event, 95)
            rows.append(row)
        return rows

    def summary(self) -> dict[str, float | int | str | None]:
        measured = sum(len(s.latencies) for s in self.endpoints.values())
        mb = _mb
        return {
            "users": self.config.users,
            "duration s": self.config.duration_s,
            "warm-up s": self.config.warmup,
            "mean think time s": self.config.think_s,
            "server workers": self.workers,
            "requests": self.requests,
            "errors": sum(self.errors.values()),
            "requests/s (after warm-up)": measured / self.measured_s if self.measured_s else 0.0,
            "server CPU % of one core (after warm-up)": (
                self.server_cpu_s / self.measured_s * 100
                if self.server_cpu_s is not None and self.measured_s
                else None
            ),
            "RSS samples": len(self.samples),
            "RSS after warm-up MB": mb(self.rss_after_warmup()),
            "RSS at the end MB": mb(self.rss_end()),
            "RSS peak MB": mb(self.rss_peak()),
            "RSS growth after warm-up %": self.rss_growth_pct(),
            "load average before": self.load_before,
            "load average at the end": self.load_after,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "config": {k: getattr(self.config, k) for k in self.config.__dataclass_fields__},
            "summary": self.summary(),
            "endpoints": self.endpoint_rows(),
            "errors": dict(self.errors),
            "rss_samples": [
                {"t": round(s.t, 2), "rss_bytes": s.rss_bytes, "processes": s.processes}
                for s in self.samples
            ],
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False), "utf-8")


def _pct(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) in milliseconds; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1] * 1000


def _mb(value: int | None) -> float | None:
    return None if value is None else value / 1e6


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants (bytes), and how many there are."""
    root = psutil.Process(pid)
    total, count = 0, 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
            count += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # a worker that just exited or restarted
    return total, count


# -- the simulated users ---------------------------------------------------------------------


class _Run:
    """Shared state of one soak: the clock, the statistics and the questions."""

    def __init__(self, base_url: str, questions: Sequence[str], config: SoakConfig) -> None:
        self.base_url = base_url
        self.questions = list(questions)
        self.config = config
        self.stats = {name: EndpointStats() for name in ENDPOINTS}
        self.start = time.monotonic()
        self.deadline = self.start + config.duration_s

    def measured(self, started: float) -> bool:
        return started - self.start >= self.config.warmup

    def ok(self, name: str, started: float, first: float | None = None) -> None:
        stats = self.stats[name]
        stats.requests += 1
        if self.measured(started):
            stats.latencies.append(time.monotonic() - started)
            if first is not None:
                stats.first_event.append(first)

    def error(self, name: str, kind: str) -> None:
        stats = self.stats[name]
        stats.requests += 1
        stats.errors[kind] += 1


class _User:
    def __init__(self, run: _Run, client: httpx.AsyncClient, seed: int) -> None:
        self.run = run
        self.client = client
        self.rng = random.Random(seed)
        self.answers: list[dict[str, Any]] = []  # the user's last answers (for feedback, sources)
        self.to_rate: dict[str, Any] | None = None
        self.source_ids: list[str] = []

    async def live(self) -> None:
        cfg = self.run.config
        # arrive over the first think time rather than all at once
        await asyncio.sleep(self.rng.uniform(0, cfg.think_s))
        while time.monotonic() < self.run.deadline:
            await self.act()
            pause = self.rng.uniform(0.5, 1.5) * cfg.think_s
            await asyncio.sleep(max(0.0, min(pause, self.run.deadline - time.monotonic())))

    async def act(self) -> None:
        cfg = self.run.config
        if self.to_rate is not None:
            answer, self.to_rate = self.to_rate, None
            await self.call(FEEDBACK, self.feedback(answer))
            return
        roll = self.rng.random()
        question = self.rng.choice(self.run.questions)
        if roll < cfg.ask_share:
            await self.call(ASK, self.ask(question))
        elif roll < cfg.ask_share + cfg.stream_share:
            await self.call(STREAM, self.stream(question))
        else:
            await self.browse()

    async def call(self, name: str, work: Any) -> None:
        """Run one request coroutine, which returns the time to its first event (or None)
        and raises _Failed for a wrong answer; count the outcome."""
        started = time.monotonic()
        try:
            first = await work
        except _Failed as exc:
            self.run.error(name, exc.kind)
        except httpx.TimeoutException:
            self.run.error(name, "timeout")
        except httpx.TransportError as exc:
            self.run.error(name, f"connection: {type(exc).__name__}")
        except (ValueError, KeyError, TypeError) as exc:  # a body that is not what it should be
            self.run.error(name, f"bad body: {type(exc).__name__}")
        else:
            self.run.ok(name, started, first)

    def answered(self, answer: dict[str, Any]) -> None:
        self.answers = [*self.answers[-4:], answer]
        if self.rng.random() < self.run.config.feedback_rate:
            self.to_rate = answer

    async def ask(self, question: str) -> None:
        r = await self.client.post("/v1/ask", json={"question": question})
        _expect(r, 200)
        body = r.json()
        if not isinstance(body, dict) or "id" not in body:
            raise _Failed("not an Answer")
        self.answered(body)

    async def stream(self, question: str) -> float | None:
        t0 = time.monotonic()
        first: float | None = None
        done: dict[str, Any] | None = None
        kind = ""
        async with self.client.stream("POST", "/v1/ask/stream", json={"question": question}) as r:
            if r.status_code != 200:
                await r.aread()
                _expect(r, 200)
            async for line in r.aiter_lines():
                if first is None and line:
                    first = time.monotonic() - t0
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ").strip()
                elif line.startswith("data: ") and kind == "done":
                    done = json.loads(line.removeprefix("data: "))
                elif line.startswith("data: ") and kind == "error":
                    problem = json.loads(line.removeprefix("data: "))
                    raise _Failed(f"stream error event: {problem.get('status', '?')}")
        if done is None:
            raise _Failed("stream ended without done")
        self.answered(done)
        return first

    async def feedback(self, answer: dict[str, Any]) -> None:
        up = self.rng.random() < 0.75
        body: dict[str, Any] = {"answer_id": answer["id"], "rating": "up" if up else "down"}
        if not up:
            body["comment"] = "soak test: feil paragraf?"
        r = await self.client.post("/v1/feedback", json=body)
        _expect(r, 201)

    async def browse(self) -> None:
        cited = [c for a in self.answers for c in a.get("citations") or [] if c.get("section")]
        roll = self.rng.random()
        if cited and roll < 0.5:
            await self.call(SECTION, self.section(self.rng.choice(cited)))
        elif self.source_ids and roll < 0.8:
            await self.call(SOURCE, self.source(self.rng.choice(self.source_ids)))
        else:
            await self.call(SOURCES, self.sources())

    async def sources(self) -> None:
        r = await self.client.get("/v1/sources")
        _expect(r, 200)
        self.source_ids = [s["source_id"] for s in r.json()]

    async def source(self, source_id: str) -> None:
        r = await self.client.get("/v1/sources/" + quote(source_id, safe="/"))
        _expect(r, 200)

    async def section(self, citation: dict[str, Any]) -> None:
        path = (
            f"/v1/sources/{quote(citation['source_id'], safe='/')}"
            f"/sections/{quote(citation['section'], safe='')}"
        )
        r = await self.client.get(path, params={"chunk": citation["chunk_id"]})
        _expect(r, 200)


class _Failed(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _expect(r: httpx.Response, status: int) -> None:
    if r.status_code != status:
        raise _Failed(f"HTTP {r.status_code}")


async def _sample(
    run: _Run, rss: Callable[[], tuple[int, int]], samples: list[RssSample], stop: asyncio.Event
) -> None:
    while True:
        try:
            total, count = await asyncio.to_thread(rss)
        except psutil.NoSuchProcess:
            return  # the server is gone: the users will count the errors
        samples.append(RssSample(time.monotonic() - run.start, total, count))
        try:
            await asyncio.wait_for(stop.wait(), run.config.sample_every_s)
            return
        except TimeoutError:
            continue


async def soak(
    base_url: str,
    questions: Sequence[str],
    config: SoakConfig,
    *,
    rss: Callable[[], tuple[int, int]] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[dict[str, EndpointStats], list[RssSample], float]:
    """Run the users until the duration is over (requests in flight are finished, not cut).
    Returns the statistics per endpoint, the RSS samples and the wall time."""
    if not questions:
        raise ValueError("no questions to ask")
    run = _Run(base_url, questions, config)
    samples: list[RssSample] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(run, rss, samples, stop)) if rss else None
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=2)
    clients = [
        httpx.AsyncClient(
            base_url=base_url, timeout=config.timeout_s, headers=headers, limits=limits
        )
        for _ in range(config.users)
    ]
    try:
        users = [_User(run, c, config.seed * 1000 + i) for i, c in enumerate(clients)]
        await asyncio.gather(*(u.live() for u in users))
    finally:
        stop.set()
        if sampler is not None:
            await sampler
        for c in clients:
            await c.aclose()
    if rss is not None:  # one more at the very end
        try:
            total, count = rss()
            samples.append(RssSample(time.monotonic() - run.start, total, count))
        except psutil.NoSuchProcess:
            pass
    return run.stats, samples, time.monotonic() - run.start


# -- the server ------------------------------------------------------------------------------


@dataclass
class SoakServer:
    url: str
    pid: int
    log_path: Path


@contextmanager
def serve_for_soak(settings: Settings, workers: int = 1) -> Iterator[SoakServer]:
    """`regelrett serve` in a subprocess on a free loopback port, ready when this yields.
    Its output goes to a log file in a temporary folder that also holds its audit database
    (unless REGELRETT_DATABASE_URL names one)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="regelrett-soak-") as tmp:
        env = server_env(settings, port)
        env["REGELRETT_SERVER_WORKERS"] = str(workers)
        if not settings.database.url:
            env["REGELRETT_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'audit.sqlite3'}"
        command = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--workers", str(workers)]
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                wait_ready(url, proc)
                yield SoakServer(url, proc.pid, log_path)
            finally:
                stop_server(proc)


def run_soak(
    url: str,
    questions: Sequence[str],
    config: SoakConfig,
    *,
    pid: int | None = None,
    workers: int | None = None,
    headers: dict[str, str] | None = None,
    server_log: Path | None = None,
) -> SoakReport:
    """The soak against `url`; with `pid`, the memory and CPU time of that process tree."""
    load_before = os.getloadavg()[0]
    rss = (lambda: tree_rss(pid)) if pid is not None else None
    cpu0 = cpu_seconds(pid) if pid is not None else None
    cpu_at_warmup: list[float] = []

    async def main() -> tuple[dict[str, EndpointStats], list[RssSample], float]:
        async def mark() -> None:  # the server's CPU time when the warm-up ends
            await asyncio.sleep(config.warmup)
            if pid is not None:
                cpu_at_warmup.append(await asyncio.to_thread(cpu_seconds, pid))

        marker = asyncio.create_task(mark())
        try:
            return await soak(url, questions, config, rss=rss, headers=headers)
        finally:
            marker.cancel()

    stats, samples, wall = asyncio.run(main())
    cpu: float | None = None
    if pid is not None and cpu0 is not None:
        cpu = cpu_seconds(pid) - (cpu_at_warmup[0] if cpu_at_warmup else cpu0)
    return SoakReport(
        config=config,
        url=url,
        workers=workers,
        endpoints=stats,
        samples=samples,
        wall_s=wall,
        measured_s=max(0.0, wall - config.warmup),
        server_cpu_s=cpu,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        server_log=str(server_log) if server_log else None,
    )
