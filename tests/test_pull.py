"""`ingest.pull`: catalogue validation and downloads against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.pull import PullReport, load_catalogue, pull_sources

FILES: dict[str, bytes] = {
    "/lov.xml": (
        b'<?xml version="1.0"?>\n<lov><paragraf nr="1">Innhold '
        + "æøå".encode()
        + b"</paragraf></lov>\n"
    ),
    "/forskrift.html": (
        b"<html><body><h1>Forskrift</h1>" + bytes(range(256)) * 40 + b"</body></html>"
    ),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = FILES.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to 127.0.0.1 directly even when the environment names an HTTP proxy."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A local port that nothing listens on: bound once, then released."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def _entry(ident: str, url: str | None, file: str | None, doc_type: str = "law") -> str:
    lines = [
        f"  - id: {ident}",
        f"    title: Testkilde {ident}",
        f"    doc_type: {doc_type}",
        "    language: nb",
        '    jurisdiction: "NO"',
    ]
    if url is not None:
        lines.append(f"    url: {url}")
    if file is not None:
        lines.append(f"    file: {file}")
    return "\n".join(lines)


def _catalogue(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return path


def _leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if p.name.startswith(".") or p.suffix == ".part")


def test_downloads_files_byte_for_byte(tmp_path: Path, server: str) -> None:
    catalogue = _catalogue(
        tmp_path,
        _entry("lov", f"{server}/lov.xml", "lov.xml"),
        _entry("forskrift", f"{server}/forskrift.html", "forskrift.html", "regulation"),
        _entry("uten-url", None, None),
    )
    dest = tmp_path / "out"
    report = pull_sources(catalogue, dest)

    assert [o.id for o in report.ok] == ["lov", "forskrift"]
    assert report.failed == []
    assert report.skipped == ["uten-url"]
    assert report.reachable
    assert (dest / "lov.xml").read_bytes() == FILES["/lov.xml"]
    assert (dest / "forskrift.html").read_bytes() == FILES["/forskrift.html"]
    assert report.ok[1].size == len(FILES["/forskrift.html"])
    assert _leftovers(dest) == []


def test_only_limits_the_download(tmp_path: Path, server: str) -> None:
    catalogue = _catalogue(
        tmp_path,
        _entry("lov", f"{server}/lov.xml", "lov.xml"),
        _entry("forskrift", f"{server}/forskrift.html", "forskrift.html"),
    )
    report = pull_sources(catalogue, tmp_path / "out", only=["forskrift"])
    assert [o.id for o in report.ok] == ["forskrift"]
    assert not (tmp_path / "out" / "lov.xml").exists()
    with pytest.raises(ValueError, match="finnes-ikke"):
        pull_sources(catalogue, tmp_path / "out", only=["finnes-ikke"])


def test_http_404_is_reported_and_leaves_no_file(tmp_path: Path, server: str) -> None:
    catalogue = _catalogue(
        tmp_path,
        _entry("lov", f"{server}/lov.xml", "lov.xml"),
        _entry("mangler", f"{server}/mangler.xml", "mangler.xml"),
    )
    dest = tmp_path / "out"
    report = pull_sources(catalogue, dest)

    assert [o.id for o in report.ok] == ["lov"]
    assert [f.id for f in report.failed] == ["mangler"]
    reason = report.failed[0].reason
    assert "404" in reason and "\n" not in reason
    assert report.reachable
    assert not (dest / "mangler.xml").exists()
    assert _leftovers(dest) == []


def test_failed_download_keeps_an_earlier_copy(tmp_path: Path, server: str) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "lov.xml").write_bytes(b"earlier copy")
    catalogue = _catalogue(tmp_path, _entry("lov", f"{server}/borte.xml", "lov.xml"))
    report = pull_sources(catalogue, dest)
    assert [f.id for f in report.failed] == ["lov"]
    assert (dest / "lov.xml").read_bytes() == b"earlier copy"


def test_unreachable_host_is_reported_as_offline(tmp_path: Path, closed_port: int) -> None:
    base = f"http://127.0.0.1:{closed_port}"
    catalogue = _catalogue(
        tmp_path,
        _entry("lov", f"{base}/lov.xml", "lov.xml"),
        _entry("forskrift", f"{base}/forskrift.html", "forskrift.html"),
    )
    dest = tmp_path / "out"
    report = pull_sources(catalogue, dest, timeout=5.0)

    assert isinstance(report, PullReport)
    assert report.ok == []
    assert len(report.failed) == 2
    assert all(
        f.reason == "cannot reach 127.0.0.1: no network connection (offline?)"
        for f in report.failed
    )
    assert report.reachable is False
    assert "could not be reached" in report.summary()
    assert sorted(p.name for p in dest.iterdir()) == []


def test_one_reachable_source_means_reachable(
    tmp_path: Path, server: str, closed_port: int
) -> None:
    catalogue = _catalogue(
        tmp_path,
        _entry("lov", f"{server}/lov.xml", "lov.xml"),
        _entry("nede", f"http://127.0.0.1:{closed_port}/x.xml", "x.xml"),
    )
    report = pull_sources(catalogue, tmp_path / "out")
    assert [o.id for o in report.ok] == ["lov"]
    assert [f.id for f in report.failed] == ["nede"]
    assert report.reachable


def test_bad_doc_type_raises_naming_the_entry(tmp_path: Path) -> None:
    catalogue = _catalogue(
        tmp_path,
        _entry("god", "http://127.0.0.1:1/a.xml", "a.xml"),
        _entry("feil-type", "http://127.0.0.1:1/b.xml", "b.xml", doc_type="lovtekst"),
    )
    with pytest.raises(ValueError, match=r"feil-type.*doc_type"):
        load_catalogue(catalogue)
    with pytest.raises(ValueError, match="feil-type"):
        pull_sources(catalogue, tmp_path / "out")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    language: de", "language"),
        ("    file: ../utenfor.xml", "plain file name"),
        ("    url: ftp://127.0.0.1/a.xml", "not an http"),
        ("    ukjent: 1", "unknown key"),
    ],
)
def test_other_invalid_entries_raise(tmp_path: Path, extra: str, message: str) -> None:
    text = (
        "sources:\n  - id: kilde\n    title: Kilde\n    doc_type: law\n    language: nb\n"
        "    url: http://127.0.0.1:1/a.xml\n    file: a.xml\n"
    )
    key = extra.split(":")[0].strip()
    lines = [line for line in text.splitlines() if line.strip().split(":")[0] != key]
    path = tmp_path / "sources.yaml"
    path.write_text("\n".join([*lines, extra]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_catalogue(path)


def test_duplicate_ids_and_unquoted_norway(tmp_path: Path) -> None:
    path = _catalogue(tmp_path, _entry("a", None, None), _entry("a", None, None))
    with pytest.raises(ValueError, match="duplicate id"):
        load_catalogue(path)
    path.write_text(
        "sources:\n  - id: b\n    title: B\n    doc_type: law\n    language: nb\n"
        "    jurisdiction: NO\n",
        encoding="utf-8",
    )
    assert load_catalogue(path)[0].jurisdiction == "NO"
