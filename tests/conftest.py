"""Shared fixtures. Tests that need ../shared/corpus skip with a reason when it is absent."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = Path(os.environ.get("REGELRETT_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (CI has it beside the checkout)")
    return CORPUS


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    """Fail loudly on any connection that leaves this machine."""
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str) and not (
        host.startswith("127.") or host in {"localhost", "::1", "0.0.0.0"}
    ):
        raise RuntimeError(f"test tried to reach the outside network: {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
