"""Start a real `chroma run` server on 127.0.0.1 for tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from evals.bench_http import free_port, stop_server

__all__ = ["chroma_binary", "chroma_server", "free_port"]


def chroma_binary() -> str | None:
    local = Path(sys.executable).parent / "chroma"
    return str(local) if local.exists() else shutil.which("chroma")


@contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[str]:
    """Run `chroma run` on 127.0.0.1 until the block ends; yields its URL."""
    binary = chroma_binary()
    if binary is None:
        raise RuntimeError("the chroma command is not installed")
    port = port or free_port()
    log = (path.parent / f"chroma-{port}.log").open("wb")
    proc = subprocess.Popen(
        [binary, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {proc.returncode}")
            try:
                if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chroma run did not start within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        stop_server(proc, timeout=10)
        log.close()
