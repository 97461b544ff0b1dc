"""Lovdata's bulk data: `regelrett sources pull lovdata` against a local HTTP server (and what
it says when it cannot reach one), and incremental ingest of `.tar.bz2` archives in Lovdata's
XML format, built here from our own fixtures and generated laws (evals/bench_lovdata.py)."""

from __future__ import annotations

import functools
import json
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from evals.bench_lovdata import build_archive, run_bulk_bench, synthetic_law
from ingest.pull import load_bulk, pull_sources
from ingest.service import open_ingestor

ROOT = Path(__file__).resolve().parent.parent
XML_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "lovdata").glob("*.xml"))
ARCHIVE = "gjeldende-lover.tar.bz2"
runner = CliRunner()


def members(n: int, revised: frozenset[int] = frozenset()) -> list[tuple[str, bytes]]:
    """Our two XML fixtures and n generated laws, as Lovdata's archive lays them out."""
    out = [(f"nl/{f.name}", f.read_bytes()) for f in XML_FIXTURES]
    for i in range(n):
        law = synthetic_law(i, 1 if i in revised else 0)
        out.append((law.member, law.xml))
    return out


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def lovdata_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A stand-in for api.lovdata.no on 127.0.0.1, serving /v1/publicData/get/<file>."""
    root = tmp_path / "www"
    folder = root / "v1" / "publicData" / "get"
    folder.mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/publicData/get", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _catalogue(path: Path, base: str) -> Path:
    path.write_text(
        "sources:\n"
        "  - id: offentleglova\n    title: Offentleglova\n    doc_type: law\n    language: nn\n"
        "bulk:\n"
        f"  - id: lovdata-gjeldende-lover\n    group: lovdata\n    title: Gjeldende lover\n"
        f"    doc_type: law\n    language: nb\n    url: {base}/{ARCHIVE}\n    file: {ARCHIVE}\n",
        encoding="utf-8",
    )
    return path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGELRETT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REGELRETT_CHROMA_COLLECTION", "lovdata-bulk")
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "data"


def test_the_catalogue_names_lovdatas_public_archives() -> None:
    bulk = {e.id: e for e in load_bulk(ROOT / "knowledge" / "sources.yaml")}
    laws = bulk["lovdata-gjeldende-lover"]
    regulations = bulk["lovdata-gjeldende-sentrale-forskrifter"]
    assert laws.url == "https://api.lovdata.no/v1/publicData/get/gjeldende-lover.tar.bz2"
    assert regulations.url and regulations.url.endswith("gjeldende-sentrale-forskrifter.tar.bz2")
    assert {laws.group, regulations.group} == {"lovdata"}


def test_pull_by_group_downloads_only_the_archives(
    tmp_path: Path, lovdata_server: tuple[str, Path]
) -> None:
    base, folder = lovdata_server
    build_archive(folder / ARCHIVE, members(3))
    report = pull_sources(_catalogue(tmp_path / "c.yaml", base), tmp_path / "dl", only=["lovdata"])
    assert [o.id for o in report.ok] == ["lovdata-gjeldende-lover"]
    assert (tmp_path / "dl" / ARCHIVE).read_bytes() == (folder / ARCHIVE).read_bytes()
    assert not report.skipped  # the catalogue's own sources were not asked for


def test_pull_lovdata_and_ingest_then_a_daily_refresh(
    tmp_path: Path, env: Path, lovdata_server: tuple[str, Path]
) -> None:
    base, folder = lovdata_server
    catalogue = _catalogue(tmp_path / "c.yaml", base)
    build_archive(folder / ARCHIVE, members(4))
    args = ["sources", "pull", "lovdata", "--catalogue", str(catalogue), "--ingest"]
    args += ["--dest", str(tmp_path / "dl")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "saved lovdata-gjeldende-lover" in first.output
    listed = json.loads(runner.invoke(app, ["sources", "--json"]).output)
    ids = {r["source_id"] for r in listed}
    assert f"{ARCHIVE}/nl/nl-20240315-007.xml" in ids and len(ids) == 6
    hund = next(r for r in listed if r["source_id"].endswith("nl-20240315-007.xml"))
    assert hund["doc_type"] == "law" and hund["ref_id"] == "lov/2024-03-15-7"
    # the next day: one law changed, one repealed (gone from the archive), one new
    changed = members(5, revised=frozenset({1}))
    del changed[2]  # synthetic law 0
    build_archive(folder / ARCHIVE, changed)
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    with open_ingestor(Settings()) as ingestor:
        ids = {e.source_id for e in ingestor.manifest.entries() if e.doc_type != "archive"}
        gone = synthetic_law(0).member
        assert f"{ARCHIVE}/{gone}" not in ids and len(ids) == 6
        assert not ingestor.store.ids_where({"source_id": f"{ARCHIVE}/{gone}"})


def test_pull_lovdata_says_clearly_when_offline(tmp_path: Path, env: Path) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/v1/publicData/get"
    catalogue = _catalogue(tmp_path / "c.yaml", base)
    result = runner.invoke(
        app, ["sources", "pull", "lovdata", "--catalogue", str(catalogue), "--ingest"]
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "could not reach the official sources (no network connection?)" in text
    assert "nothing in the index was changed" in text
    assert f"{base}/{ARCHIVE}" in text and "regelrett ingest FILE" in text
    assert not (env / "downloads" / ARCHIVE).exists()


def test_unknown_group_or_id_is_refused(tmp_path: Path, env: Path) -> None:
    catalogue = _catalogue(tmp_path / "c.yaml", "http://127.0.0.1:1")
    result = runner.invoke(app, ["sources", "pull", "lovdat", "--catalogue", str(catalogue)])
    assert result.exit_code == 2 and "unknown source id(s): lovdat" in result.output


def test_archive_ingest_is_incremental_by_member(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", chroma={"collection": "lovdata-incr"})
    archive = tmp_path / "bulk" / ARCHIVE
    archive.parent.mkdir()
    build_archive(archive, members(6))
    with open_ingestor(settings) as ingestor:
        first = ingestor.run([archive])
        assert first.count("added") == 8 and not first.failed
        per_law = first.chunks_embedded // 8
        same = ingestor.run([archive])  # the same bytes: nothing is even parsed
        assert same.count("unchanged") == 8 and same.chunks_embedded == 0
        build_archive(archive, members(7, revised=frozenset({2})))  # one changed, one new
        refresh = ingestor.run([archive])
        actions = {o.source_id.split("/")[-1]: o.action for o in refresh.outcomes}
        assert sorted(actions.values()).count("unchanged") == 7
        assert actions[Path(synthetic_law(2).member).name] == "updated"
        assert actions[Path(synthetic_law(6).member).name] == "added"
        # only the changed § of the revised law and the new law's chunks are embedded
        assert 0 < refresh.chunks_embedded <= per_law + 4
        stored = ingestor.store.ids_where({"source_id": f"{ARCHIVE}/{synthetic_law(2).member}"})
        entry = ingestor.manifest.get("", f"{ARCHIVE}/{synthetic_law(2).member}")
        assert entry is not None and set(stored) == set(entry.chunk_ids)


def test_bulk_benchmark_reports_its_figures(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "unused")
    figures = run_bulk_bench(settings, laws=4, changed_share=0.25, say=lambda _: None)
    assert figures.laws == 4 and figures.refresh_changed == 1
    assert figures.first_embedded == figures.chunks > 0
    assert 0 < figures.refresh_embedded < figures.chunks
    assert figures.per_100_laws == pytest.approx(figures.first_seconds * 25)
    assert not (tmp_path / "unused").exists()  # it works in its own temporary index
