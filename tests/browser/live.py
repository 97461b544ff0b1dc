"""A live Regelrett server for the widget tests: a small real corpus ingested with the offline
embedder, `regelrett serve` in a subprocess on 127.0.0.1, and a second origin serving a page
that embeds the widget from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.settings import Settings
from evals.bench_http import stop_server
from ingest.service import open_ingestor
from tests.chroma_server import free_port

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CHROMIUM = Path(os.environ.get("REGELRETT_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "test-artifacts"
COLLECTION = "widget-test"

# Questions the fixture corpus answers (or refuses), checked against it in tests/test_widget.py.
ANSWERED = "Hvem fastsetter opningstidene for hundeparken? hpl § 3-5"
MARKUP = "Skal redaktøren fjerne innebygd kode fra sidene før publisering?"
REFUSED = "Hvor mye koster et fiskekort i Heggvik?"
PAYLOAD_SCRIPT = "<script>alert(1)</script>"
PAYLOAD_IMG = "<img src=x onerror=alert(1)>"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"Debian chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


# The marks of a test module that drives the browser against a live server.
BROWSER_TESTS = [
    pytest.mark.server,
    pytest.mark.slow,
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]


def axe_missing() -> str | None:
    if not AXE.exists():
        return f"axe-core not found at {AXE} (npm ci --prefix tests/browser; .ci/run does)"
    return None


def ingest_corpus(root: Path) -> Settings:
    """The fixture corpus, ingested into a fresh data dir under `root`."""
    settings = Settings(data_dir=root / "data", chroma={"collection": COLLECTION})
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    with open_ingestor(settings) as ingestor:
        report = ingestor.run([corpus])
    assert not report.failed, report.failed
    return settings


@contextmanager
def live_server(settings: Settings, log_dir: Path, **env: str) -> Iterator[str]:
    """`regelrett serve` on a free port until the block ends; yields its base URL once ready."""
    port = free_port()
    environ = {
        **os.environ,
        "REGELRETT_DATA_DIR": str(settings.data_dir),
        "REGELRETT_CHROMA_COLLECTION": settings.chroma.collection,
        "REGELRETT_SERVER_HOST": "127.0.0.1",
        "REGELRETT_SERVER_PORT": str(port),
        **env,
    }
    log = (log_dir / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc, log_dir / f"server-{port}.log")
        yield url
    finally:
        stop_server(proc, timeout=20)
        log.close()


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the server was not ready in {timeout} s:\n{log.read_text()}")


@contextmanager
def other_origin(root: Path, html: str) -> Iterator[str]:
    """A second web origin (another port) serving one page from `root`; yields its URL."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(html, encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]
