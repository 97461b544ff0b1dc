"""Re-ingest while the service is answering: `regelrett ingest` in another process changes the
served collection (documents changed, added and removed) while two API workers answer a steady
stream of questions. Every answer succeeds, from the old index or the new one, never a 5xx, and
once the ingest is done the workers answer from the new content."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from evals.bench_http import server_env
from evals.bench_soak import serve_for_soak
from tests.api_support import build

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Hvem fastsetter opningstidene for hundeparken?",
    "Hva sier hundeparklova § 3-5?",
    "Hvordan behandler vi et innsynskrav i en hundeparksak?",
    "Hva er saksgangen for en klage?",
]
NEW_LAW = """---
title: Lov om kommunale badeplassar (badeplasslova)
short_title: badeplasslova
---

# Lov om kommunale badeplassar

## § 1 Føremål

Lova skal sikre at kvar kommune held minst éin badeplass med livbøye og tydeleg skilting.

## § 2 Badevakt

Kommunen skal ha badevakt på den største badeplassen kvar laurdag frå juni til august.
"""


def _ask_forever(url: str, stop: threading.Event, seen: Counter[int], errors: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        i = 0
        while not stop.is_set():
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            try:
                response = client.post("/v1/ask", json={"question": question})
            except httpx.HTTPError as exc:
                errors.append(f"{question}: {exc!r}")
                continue
            seen[response.status_code] += 1
            if response.status_code != 200:
                errors.append(f"{question}: {response.status_code} {response.text[:300]}")


def test_reingest_in_another_process_under_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a re-ingest makes visible is tested here, through citations: the answerability
    # scorer, learnt on the eval corpus, may refuse a short question on these tiny fixtures
    # (tests/test_answerability.py tests it); the servers inherit the environment
    monkeypatch.setenv("REGELRETT_ANSWER_ANSWERABILITY", "off")
    settings = build(tmp_path)
    corpus = tmp_path / "corpus"
    seen: Counter[int] = Counter()
    errors: list[str] = []
    stop = threading.Event()
    with serve_for_soak(settings, workers=2) as server:
        users = [
            threading.Thread(target=_ask_forever, args=(server.url, stop, seen, errors))
            for _ in range(4)
        ]
        for user in users:
            user.start()
        try:
            env = server_env(settings, int(server.url.rsplit(":", 1)[1]))
            for round_ in range(3):
                time.sleep(1.5)
                # a changed law, a new one, and (second round) a removed guide
                law = corpus / "hundeparklova.md"
                law.write_text(
                    law.read_text(encoding="utf-8") + f"\nEndring nummer {round_} i lova.\n",
                    encoding="utf-8",
                )
                if round_ == 0:
                    (corpus / "badeplasslova.md").write_text(NEW_LAW, encoding="utf-8")
                if round_ == 1:
                    (corpus / "rettleiar.md").unlink()
                done = subprocess.run(
                    [sys.executable, "-m", "assistant.cli", "ingest", str(corpus)],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                assert done.returncode == 0, done.stdout + done.stderr
            time.sleep(4)  # past the workers' next look at the store
        finally:
            stop.set()
            for user in users:
                user.join(timeout=150)
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        # an unhandled error logs ERROR with its traceback (a worker that could not load the
        # new index yet and kept its own logs a WARNING: allowed, it is the designed fallback)
        first = log.find(" ERROR ")
        trace = log[first : first + 6000] if first >= 0 else log[-3000:]

        assert seen[200] > 20, seen
        assert not errors, "\n".join(errors[:5]) + "\n--- server log ---\n" + trace
        assert first < 0, trace

        # both workers now answer from the new content: the new law is found, the removed
        # guide is gone (several requests, so that both workers are asked)
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for _ in range(6):
                answer = client.post(
                    "/v1/ask", json={"question": "Når skal kommunen ha badevakt?"}
                ).json()
                sources = {c["source_id"] for c in answer["citations"]}
                assert "badeplasslova.md" in sources, answer
            ids = {s["source_id"] for s in client.get("/v1/sources").json()}
            assert "rettleiar.md" not in ids and "badeplasslova.md" in ids
