"""HTTP benchmark: figures, not a pass/fail test.

Starts the service with uvicorn on a free loopback port in a subprocess (keys off, no rate
limits, extractive mode), waits for /readyz, and asks the eval questions over HTTP with 1 and
with N concurrent clients (threads, one keep-alive httpx client each):

- POST /v1/ask: p50/p95 latency and requests/s;
- POST /v1/ask/stream: time to the first Server-Sent Event (the sources) p50/p95, and to the
  end of the stream.

The server's CPU time per request (user + system, all its processes) is reported as well: unlike
latency it hardly moves when other work shares the machine, and two cores divided by it bound
the throughput the service could reach there.

The baseline in the same run is the in-process extractive answer (`Assistant.answer`, one at a
time), measured before the server starts so the two do not compete for the CPU. The load
generator runs on the same machine and takes some CPU from the server: the HTTP figures are a
little pessimistic for it.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import cycle

import httpx

from assistant.embeddings import threads_per_worker
from assistant.settings import Settings


@dataclass
class LoadResult:
    clients: int
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    requests_per_s: float
    first_event_p50_ms: float | None = None
    first_event_p95_ms: float | None = None
    server_cpu_ms: float = 0.0  # CPU time the server spent per request (user + system)


@dataclass
class HttpBench:
    questions: int
    workers: int
    baseline_p50_ms: float
    baseline_p95_ms: float
    baseline_answers_per_s: float
    baseline_cpu_ms: float
    ask: list[LoadResult] = field(default_factory=list)
    stream: list[LoadResult] = field(default_factory=list)
    load_before: float = 0.0  # 1-minute load average: other work on the machine
    load_after: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            "questions": self.questions,
            "server workers": self.workers,
            "in-process answer p50 ms (baseline)": self.baseline_p50_ms,
            "in-process answer p95 ms (baseline)": self.baseline_p95_ms,
            "in-process answers/s (baseline)": self.baseline_answers_per_s,
            "in-process CPU ms per answer (baseline)": self.baseline_cpu_ms,
            "load average before": self.load_before,
            "load average at the end (with the benchmark)": self.load_after,
        }
        for r in self.ask:
            c = r.clients
            out[f"/v1/ask c={c} requests"] = r.requests
            out[f"/v1/ask c={c} errors"] = r.errors
            out[f"/v1/ask c={c} p50 ms"] = r.p50_ms
            out[f"/v1/ask c={c} p95 ms"] = r.p95_ms
            out[f"/v1/ask c={c} requests/s"] = r.requests_per_s
            out[f"/v1/ask c={c} server CPU ms per request"] = r.server_cpu_ms
        for r in self.stream:
            c = r.clients
            out[f"/v1/ask/stream c={c} first event p50 ms"] = r.first_event_p50_ms or 0.0
            out[f"/v1/ask/stream c={c} first event p95 ms"] = r.first_event_p95_ms or 0.0
            out[f"/v1/ask/stream c={c} complete p95 ms"] = r.p95_ms
            out[f"/v1/ask/stream c={c} requests/s"] = r.requests_per_s
            out[f"/v1/ask/stream c={c} errors"] = r.errors
        return out


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank), in milliseconds."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1] * 1000


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, seconds)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree = {pid}
    grew = True
    while grew:
        grew = False
        for p, (parent, _) in stats.items():
            if parent in tree and p not in tree:
                tree.add(p)
                grew = True
    return sum(stats[p][1] for p in tree if p in stats)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(settings: Settings, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "REGELRETT_DATA_DIR": str(settings.data_dir),
            "REGELRETT_CHROMA_COLLECTION": settings.chroma.collection,
            "REGELRETT_SERVER_HOST": "127.0.0.1",
            "REGELRETT_SERVER_PORT": str(port),
            "REGELRETT_SERVER_AUTH": "off",
            "REGELRETT_SERVER_DEMO_KEY": "false",
            "REGELRETT_SERVER_RATE_PER_MINUTE_KEY": "0",
            "REGELRETT_SERVER_RATE_PER_MINUTE_IP": "0",
            "REGELRETT_ANSWER_MODE": "extractive",
        }
    )
    return env


def start_server(settings: Settings, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "assistant.server:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    env = server_env(settings, port)
    # the cores shared out among the workers, as `regelrett serve` does
    env.setdefault("OMP_NUM_THREADS", str(threads_per_worker(workers)))
    return subprocess.Popen(command, env=env)


def stop_server(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Stop a server subprocess (ours, uvicorn's, `chroma run`): TERM, then KILL after
    `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready within {timeout:.0f} s")


def _ask(client: httpx.Client, question: str) -> tuple[float, float | None, bool]:
    t0 = time.perf_counter()
    r = client.post("/v1/ask", json={"question": question})
    return time.perf_counter() - t0, None, r.status_code == 200


def _stream(client: httpx.Client, question: str) -> tuple[float, float | None, bool]:
    t0 = time.perf_counter()
    first: float | None = None
    body = bytearray()
    with client.stream("POST", "/v1/ask/stream", json={"question": question}) as r:
        for chunk in r.iter_raw():
            if first is None and chunk:
                first = time.perf_counter() - t0
            body += chunk
        ok = r.status_code == 200 and b"event: done\n" in body
    return time.perf_counter() - t0, first, ok


def run_load(
    base: str,
    questions: Sequence[str],
    clients: int,
    requests: int,
    call: Callable[[httpx.Client, str], tuple[float, float | None, bool]],
    server_pid: int | None = None,
) -> LoadResult:
    """`requests` calls spread over `clients` threads, each taking the next question."""
    lock = threading.Lock()
    source = cycle(questions)
    remaining = [requests]
    latencies: list[float] = []
    firsts: list[float] = []
    errors = [0]

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                    question = next(source)
                try:
                    seconds, first, ok = call(client, question)
                except httpx.HTTPError:
                    seconds, first, ok = 0.0, None, False
                with lock:
                    if ok:
                        latencies.append(seconds)
                        if first is not None:
                            firsts.append(first)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    cpu0 = cpu_seconds(server_pid) if server_pid else 0.0
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(server_pid) - cpu0 if server_pid else 0.0
    return LoadResult(
        clients=clients,
        requests=requests,
        errors=errors[0],
        p50_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        p95_ms=pct(latencies, 95) if latencies else 0.0,
        requests_per_s=len(latencies) / wall if wall else 0.0,
        first_event_p50_ms=statistics.median(firsts) * 1000 if firsts else None,
        first_event_p95_ms=pct(firsts, 95) if firsts else None,
        server_cpu_ms=cpu / max(1, requests) * 1000,
    )


def in_process_baseline(
    settings: Settings, questions: Sequence[str]
) -> tuple[float, float, float, float]:
    """p50 and p95 ms, answers/s and CPU ms per answer of `Assistant.answer`, one question at
    a time."""
    from assistant.wiring import open_assistant

    with open_assistant(settings) as assistant:
        assistant.warm_up()
        assistant.answer(questions[0], mode="extractive")
        times = []
        cpu0 = time.process_time()
        for q in questions:
            t0 = time.perf_counter()
            assistant.answer(q, mode="extractive")
            times.append(time.perf_counter() - t0)
        cpu = time.process_time() - cpu0
    return (
        statistics.median(times) * 1000,
        pct(times, 95),
        len(times) / sum(times),
        cpu / len(times) * 1000,
    )


def bench_http(
    settings: Settings,
    questions: Sequence[str],
    concurrency: Sequence[int] = (1, 16),
    rounds: int = 2,
    workers: int = 1,
) -> HttpBench:
    load_before = os.getloadavg()[0]
    p50, p95, per_s, cpu_ms = in_process_baseline(settings, questions)
    result = HttpBench(len(questions), workers, p50, p95, per_s, cpu_ms, load_before=load_before)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(settings, port, workers)
    try:
        wait_ready(base, proc)
        run_load(base, questions, max(concurrency), 2 * max(concurrency), _ask)  # warm-up
        for clients in concurrency:
            n = len(questions) * (1 if clients == 1 else rounds)
            result.ask.append(run_load(base, questions, clients, n, _ask, proc.pid))
            result.stream.append(run_load(base, questions, clients, n, _stream, proc.pid))
        result.load_after = os.getloadavg()[0]
    finally:
        stop_server(proc)
    return result
