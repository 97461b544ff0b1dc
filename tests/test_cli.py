"""The `regelrett` command line: exit codes, one-line errors, summaries, settings."""

from __future__ import annotations

import functools
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.test_ingest_pipeline import write_corpus

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REGELRETT_CHROMA_COLLECTION", "cli-test")
    monkeypatch.setenv("COLUMNS", "200")


def test_ingest_summary_sources_and_remove(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    (folder / "bilde.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = runner.invoke(app, ["ingest", str(folder), "--doc-type", "guidance"])
    assert result.exit_code == 0, result.output
    assert "Ingest summary" in result.output
    assert "chunks written" in result.output
    listed = runner.invoke(app, ["sources", "--json"])
    assert listed.exit_code == 0
    rows = {r["source_id"]: r for r in json.loads(listed.output)}
    assert set(rows) == {"hundeparklova.md", "notat.txt", "rundskriv/rundskriv.md"}
    assert rows["hundeparklova.md"]["doc_type"] == "guidance"
    assert [s for s in rows["hundeparklova.md"]["sections"] if s.startswith("§")] == [
        "§ 1",
        "§ 2",
        "§ 3",
    ]
    # three tiny sections under one heading share a chunk (see chunking rules)
    assert rows["hundeparklova.md"]["chunks"] == 1
    table = runner.invoke(app, ["sources"])
    assert "hundeparklova.md" in table.output and "§ 1" in table.output
    removed = runner.invoke(app, ["sources", "remove", "notat.txt"])
    assert removed.exit_code == 0 and "removed notat.txt" in removed.output
    again = runner.invoke(app, ["sources", "remove", "notat.txt"])
    assert again.exit_code == 2 and "no source with id" in again.output


def test_failed_file_gives_nonzero_exit_and_reason(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    (folder / "kryptert.pdf").write_bytes(b"not a pdf at all" * 10)
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 1
    assert "kryptert.pdf" in result.output and "not a PDF" in result.output
    # the good files went in all the same
    rows = json.loads(runner.invoke(app, ["sources", "--json"]).output)
    assert {r["source_id"] for r in rows if r["ingest_status"] == "ok"} == {
        "hundeparklova.md",
        "notat.txt",
        "rundskriv/rundskriv.md",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest"], "give at least one PATH"),
        (["ingest", "/nonexistent/folder"], "path not found"),
        (["ingest", "EMPTY"], "no supported files"),
        (["ingest", "SRC", "--doc-type", "lov"], "unknown doc type"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    write_corpus(tmp_path / "src")
    args = [
        str(tmp_path / "empty") if a == "EMPTY" else str(tmp_path / "src") if a == "SRC" else a
        for a in args
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_config_masks_secrets_and_reports_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_CHROMA_AUTH_TOKEN", "very-secret-token")
    monkeypatch.setenv("REGELRETT_CHUNKING_MAX_CHARS", "900")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["chroma"]["auth_token"] == "***"
    assert data["chunking"]["max_chars"] == 900
    assert "very-secret-token" not in result.output
    described = runner.invoke(app, ["config", "--describe"])
    assert "REGELRETT_CHROMA_URL" in described.output
    monkeypatch.setenv("REGELRETT_CHUNKING_MAX_CHARS", "lots")
    bad = runner.invoke(app, ["config"])
    assert bad.exit_code == 2 and "chunking.max_chars" in bad.output


def test_unknown_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGELRETT_EMBEDDER_BACKEND", "word2vec")
    result = runner.invoke(app, ["ingest", "."])
    assert result.exit_code == 2 and "unknown embedder" in result.output


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 serving a folder."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ingest_from_url_uses_the_url_as_source_id(http_folder: tuple[str, Path]) -> None:
    base, folder = http_folder
    write_corpus(folder)
    url = f"{base}/hundeparklova.md"
    result = runner.invoke(app, ["ingest", url])
    assert result.exit_code == 0, result.output
    rows = json.loads(runner.invoke(app, ["sources", "--json"]).output)
    assert [r["source_id"] for r in rows] == [url]
    unreachable = f"http://127.0.0.1:{_closed_port()}/lov.md"
    failed = runner.invoke(app, ["ingest", unreachable])
    assert failed.exit_code == 1
    assert "cannot reach 127.0.0.1" in failed.output


def test_sources_pull_says_clearly_when_offline(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "sources:\n"
        "  - id: offl\n    title: Offentleglova\n    doc_type: law\n    language: nn\n"
        f"    url: http://127.0.0.1:{_closed_port()}/offl.xml\n    file: offl.xml\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["sources", "pull", "--catalogue", str(catalogue), "--dest", str(tmp_path / "dl")]
    )
    assert result.exit_code == 1
    assert "could not reach the official sources" in result.output
    assert not list((tmp_path / "dl").glob("*"))


def test_bench_query_times_both_dense_searches(tmp_path: Path) -> None:
    """`regelrett bench query` times dense search in memory and as Chroma queries in the same
    run, over the questions of a dataset."""
    folder = tmp_path / "src"
    write_corpus(folder)
    assert runner.invoke(app, ["ingest", str(folder)]).exit_code == 0
    dataset = tmp_path / "q.jsonl"
    dataset.write_text(
        json.dumps(
            {
                "id": "q1",
                "question": "Hvor kan hunder løpe fritt i hundeparken?",
                "lang": "nb",
                "answerable": True,
                "kind": "lookup",
                "gold": [{"source": "hundeparklova.md", "section": "§ 1"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "bench.json"
    result = runner.invoke(
        app, ["bench", "query", str(dataset), "--rounds", "1", "--json-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "dense in memory" in result.output and "dense in Chroma" in result.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert set(figures) == {"dense in memory", "dense in Chroma"}
    for run in figures.values():
        assert run["questions"] == 1 and run["answer_p95_ms"] > 0 and run["answer_cpu_p95_ms"] > 0


def test_ingest_prepares_the_provision_notes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an ingest, the notes that match the index are embedded and kept in the data dir,
    so the server's first start need not; with no matching note nothing is said."""
    import assistant.retrieval as retrieval
    from assistant.retrieval.notes import Note

    folder = tmp_path / "src"
    write_corpus(folder)
    monkeypatch.setattr(retrieval, "load_notes", lambda _folder: [])
    plain = runner.invoke(app, ["ingest", str(folder)])
    assert plain.exit_code == 0, plain.output
    assert "provision notes" not in plain.output
    note = Note(
        "hundeparklova",
        "§ 1",
        {"nb": "Når hunden skal løpe fritt i parken.", "en": "When the dog runs free."},
    )
    monkeypatch.setattr(retrieval, "load_notes", lambda _folder: [note])
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "provision notes: 1 match the index" in result.output
    assert "provision notes ready" in result.output
    with sqlite3.connect(tmp_path / "data" / "embedding-cache.sqlite3") as db:
        (kept,) = db.execute(
            "SELECT COUNT(*) FROM vectors WHERE embedder LIKE '%#query'"
        ).fetchone()
    assert kept == 2  # the note, in both languages, as query vectors
