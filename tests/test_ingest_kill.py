"""Kill the ingest with SIGKILL in the middle of a document, run it again: the index holds no
duplicate and no half document."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import Settings
from ingest.service import open_ingestor
from tests.test_ingest_pipeline import assert_consistent

LEDD = (
    "Kommunen skal sørge for at hundeparken har gjerde, belysning og avfallsbeholdere. "
    "Eieren av parken skal rydde parken jevnlig og melde fra om skader til kommunen. "
    "Brukere skal holde hunden under kontroll og følge skiltingen ved inngangen. "
)


def _write_docs(folder: Path, n_docs: int, n_sections: int) -> None:
    folder.mkdir(parents=True)
    for d in range(n_docs):
        parts = [f"# Forskrift nr. {d} om hundeparker"]
        for s in range(1, n_sections + 1):
            parts.append(f"## § {s} Bestemmelse {s}\n\n{LEDD * 4}Dokument {d}, paragraf {s}.")
        (folder / f"forskrift-{d:02d}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def _pending(manifest: Path) -> tuple[int, int]:
    if not manifest.exists():
        return 0, 0
    try:
        db = sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=1)
        rows = db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall()
        db.close()
    except sqlite3.Error:
        return 0, 0
    counts = dict(rows)
    return counts.get("pending", 0), counts.get("ok", 0)


@pytest.mark.slow
def test_sigkill_mid_document_then_rerun(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    _write_docs(folder, n_docs=8, n_sections=6)
    data = tmp_path / "data"
    env = {
        **os.environ,
        "REGELRETT_DATA_DIR": str(data),
        "REGELRETT_CHROMA_COLLECTION": "kill-test",
    }
    cmd = [sys.executable, "-m", "assistant.cli", "ingest", str(folder)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = data / "manifest-kill-test.sqlite3"
    deadline = time.monotonic() + 120
    killed_while_pending = False
    while proc.poll() is None and time.monotonic() < deadline:
        pending, ok = _pending(manifest)
        if pending and ok >= 2:
            proc.send_signal(signal.SIGKILL)
            killed_while_pending = True
            break
        time.sleep(0.02)
    proc.wait(timeout=30)
    assert killed_while_pending, "the ingest finished before it could be killed mid-document"
    assert proc.returncode == -signal.SIGKILL

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr

    settings = Settings(data_dir=data, chroma={"collection": "kill-test"})
    with open_ingestor(settings) as ing:
        entries = list(ing.manifest.entries())
        assert len(entries) == 8
        assert_consistent(ing)
        texts = [c.text for c in ing.store.iter_all()]
        assert len(texts) == len(set(texts)), "duplicate chunks after the rerun"
