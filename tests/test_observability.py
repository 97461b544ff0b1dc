"""JSON log lines with the request id (question text only when enabled), ingest counts in
/metrics, and /metrics adding up every worker of a multi-process server."""

from __future__ import annotations

import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from prometheus_client.mmap_dict import MmapedDict

from assistant.observability.context import accept_request_id, request_id
from assistant.observability.logs import JsonFormatter, RequestIdFilter, log_answer
from assistant.observability.metrics import Metrics
from assistant.records import Answer
from assistant.settings import LogSettings
from evals.bench_soak import serve_for_soak
from tests.api_support import api_settings, build, serve, write_corpus


def _capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("regelrett.test-json")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def _answer() -> Answer:
    return Answer(id="a" * 32, question="Kan [fødselsnummer] få innsyn?", answer="Ja [1].")


def test_json_lines_carry_the_request_id_and_no_question_by_default() -> None:
    logger, stream = _capture()
    token = request_id.set("req-7")
    try:
        logger.info("hello %s", "world")
        log_answer(_answer(), "api", "hamar", LogSettings(), logger)
    finally:
        request_id.reset(token)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "hello world" and first["request_id"] == "req-7"
    assert first["level"] == "INFO" and first["logger"] == "regelrett.test-json"
    assert second["answer_id"] == "a" * 32 and second["surface"] == "api"
    assert second["tenant"] == "hamar" and second["request_id"] == "req-7"
    assert "question" not in second and "innsyn" not in stream.getvalue()


def test_question_only_when_enabled() -> None:
    logger, stream = _capture()
    log_answer(_answer(), "cli", "", LogSettings(questions=True), logger)
    assert json.loads(stream.getvalue())["question"] == "Kan [fødselsnummer] få innsyn?"


def test_request_ids_from_callers_are_checked() -> None:
    assert accept_request_id("abc-DEF_1.2:3") == "abc-DEF_1.2:3"
    for bad in (None, "", "has space", "x" * 129, "line\nbreak", "trailing\n"):
        assert accept_request_id(bad) != bad


def test_separate_registries() -> None:
    one, two = Metrics(), Metrics()
    one.audit_failed("answer")
    assert b'regelrett_audit_failures_total{what="answer"} 1.0' in one.exposition()
    assert b"regelrett_audit_failures_total{" not in two.exposition()


def test_ingest_counts_in_metrics(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    with serve(settings) as client:
        r = client.post("/v1/admin/ingest", json={"path": str(corpus)})
        assert r.status_code == 200, r.text
        text = client.get("/metrics").text
    assert 'regelrett_ingest_documents_total{action="added"} 3.0' in text
    assert 'regelrett_ingest_documents_total{action="failed"} 1.0' in text
    assert "regelrett_ingest_failures_total 1.0" in text


def _metric_sum(text: str, name: str, contains: str = "") -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and contains in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.mark.slow
def test_metrics_add_up_across_server_workers(tmp_path: Path) -> None:
    """`serve --workers 2`: a scrape reaches one worker, yet reports every worker's requests."""
    settings = build(tmp_path)
    with serve_for_soak(settings, workers=2) as server:

        def ask(i: int) -> int:
            # a connection per request, so that either worker may take it
            with httpx.Client(base_url=server.url, timeout=120) as client:
                question = f"Hvem fastsetter opningstidene for hundeparken? ({i})"
                return client.post("/v1/ask", json={"question": question}).status_code

        workers = psutil.Process(server.pid).children(recursive=True)
        folders = {w.environ().get("PROMETHEUS_MULTIPROC_DIR") for w in workers} - {None}
        assert len(folders) == 1, folders
        folder = Path(str(folders.pop()))

        def answers_per_worker() -> dict[str, float]:
            """Each worker's own answer count, read from its file in the shared folder."""
            out: dict[str, float] = {}
            for path in folder.glob("counter_*.db"):
                values = MmapedDict.read_all_values_from_file(str(path))
                out[path.stem] = sum(v for key, v, *_ in values if "regelrett_answers" in key)
            return out

        # ask in rounds until both workers have answered some: which worker takes a
        # connection is the kernel's choice
        asked = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            while asked < 400:
                assert list(pool.map(ask, range(asked, asked + 16))) == [200] * 16
                asked += 16
                per_worker = answers_per_worker()
                if len(per_worker) == 2 and all(per_worker.values()):
                    break
        assert len(per_worker) == 2 and all(per_worker.values()), per_worker
        assert sum(per_worker.values()) == asked

        for _ in range(8):  # whichever worker answers the scrape, the totals are the same
            with httpx.Client(base_url=server.url, timeout=30) as client:
                text = client.get("/metrics").text
            assert _metric_sum(text, "regelrett_answers_total") == asked
            ask_count = _metric_sum(
                text, "regelrett_http_request_duration_seconds_count", 'route="/v1/ask"'
            )
            assert ask_count == asked
