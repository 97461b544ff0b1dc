"""Archive reader: regular members only, safe paths, a size cap, one-line errors."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import Literal

import pytest

from ingest.loaders import detect_format, is_archive
from ingest.loaders.archive import iter_archive, safe_member_path
from ingest.loaders.common import LoadError
from ingest.loaders.lovdata import load_lovdata_xml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lovdata"
XML_FIXTURES = sorted(FIXTURES.glob("*.xml"))
LIMIT = 1_000_000
TarMode = Literal["w", "w:gz", "w:bz2"]
TAR_MODES: dict[str, TarMode] = {
    ".tar.bz2": "w:bz2",
    ".tbz2": "w:bz2",
    ".tar.gz": "w:gz",
    ".tgz": "w:gz",
    ".tar": "w",
}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _add_special(tar: tarfile.TarFile, name: str, kind: bytes, target: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


def _build_tar(path: Path, mode: TarMode) -> Path:
    """An archive laid out like Lovdata's bulk files, plus members a reader must skip."""
    with tarfile.open(path, mode) as tar:
        _add_special(tar, "lti", tarfile.DIRTYPE)
        _add_special(tar, "lti/2024", tarfile.DIRTYPE)
        for fixture in XML_FIXTURES:
            tar.add(fixture, arcname=f"lti/2024/{fixture.name}", recursive=False)
        _add_special(tar, "lti/2024/symlink.xml", tarfile.SYMTYPE, "/etc/passwd")
        _add_special(tar, "lti/2024/hardlink.xml", tarfile.LNKTYPE, "lti/2024/x.xml")
        _add_special(tar, "lti/2024/fifo", tarfile.FIFOTYPE)
        _add_bytes(tar, "../outside.xml", b"<html/>")
        _add_bytes(tar, "lti/../../outside.xml", b"<html/>")
        _add_bytes(tar, "/etc/absolute.xml", b"<html/>")
    return path


def _expected_members() -> list[str]:
    return [f"lti/2024/{f.name}" for f in XML_FIXTURES]


@pytest.mark.parametrize("suffix", [".tar.bz2", ".tbz2", ".tar.gz", ".tgz", ".tar"])
def test_tar_archives_yield_only_safe_regular_members(tmp_path: Path, suffix: str) -> None:
    archive = _build_tar(tmp_path / f"lovtidend{suffix}", TAR_MODES[suffix])
    assert is_archive(archive.name)
    members = list(iter_archive(archive.read_bytes(), archive.name, LIMIT))
    assert [name for name, _ in members] == _expected_members()
    for (_, data), fixture in zip(members, XML_FIXTURES, strict=True):
        assert data == fixture.read_bytes()


def test_every_member_of_a_lovdata_bulk_archive_loads(tmp_path: Path) -> None:
    archive = _build_tar(tmp_path / "lovtidend-avd1-2024.tar.bz2", "w:bz2")
    loaded = []
    for name, data in iter_archive(archive.read_bytes(), archive.name, LIMIT):
        assert detect_format(name, data) == "lovdata-xml"
        doc = load_lovdata_xml(data, f"{archive.name}/{name}", name)
        assert doc.format == "lovdata-xml"
        assert any(label.startswith("§") for label in doc.labels)
        loaded.append(doc.ref_id)
    assert loaded == ["lov/2020-12-01-99", "lov/2024-03-15-7"]


def test_member_over_the_limit_raises_naming_it(tmp_path: Path) -> None:
    archive = _build_tar(tmp_path / "lovtidend.tar.bz2", "w:bz2")
    smallest = min(f.stat().st_size for f in XML_FIXTURES)
    with pytest.raises(LoadError, match=r"lti/2024/nl-\d+-\d+\.xml is too large"):
        list(iter_archive(archive.read_bytes(), archive.name, smallest - 1))


def test_members_up_to_the_limit_pass(tmp_path: Path) -> None:
    archive = _build_tar(tmp_path / "lovtidend.tar.bz2", "w:bz2")
    largest = max(f.stat().st_size for f in XML_FIXTURES)
    members = list(iter_archive(archive.read_bytes(), archive.name, largest))
    assert len(members) == len(XML_FIXTURES)


@pytest.mark.parametrize("suffix", [".tar.bz2", ".tar.gz"])
def test_truncated_archive_raises_load_error(tmp_path: Path, suffix: str) -> None:
    data = _build_tar(tmp_path / f"a{suffix}", TAR_MODES[suffix]).read_bytes()
    with pytest.raises(LoadError, match="corrupt or unreadable archive"):
        list(iter_archive(data[: len(data) // 2], f"a{suffix}", LIMIT))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"BZh91AY&SY" + b"\x00" * 200, "broken.tar.bz2"),
        (b"\x1f\x8b\x08\x00" + b"garbage" * 40, "broken.tgz"),
        (b"PK\x03\x04" + b"garbage" * 40, "broken.zip"),
        (b"this is not an archive at all" * 20, "plain.tar"),
    ],
)
def test_corrupt_archive_raises_load_error(data: bytes, name: str) -> None:
    with pytest.raises(LoadError, match="corrupt or unreadable archive"):
        list(iter_archive(data, name, LIMIT))


def test_unknown_content_with_unknown_name_is_refused() -> None:
    with pytest.raises(LoadError, match="not a supported archive"):
        list(iter_archive(b"just some text", "notes.txt", LIMIT))


def _build_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lti/", b"")
        for fixture in XML_FIXTURES:
            archive.write(fixture, arcname=f"lti/2024/{fixture.name}")
        link = zipfile.ZipInfo("lti/2024/link.xml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("../outside.xml", b"<html/>")
        archive.writestr("/absolute.xml", b"<html/>")
    return path


def test_zip_archive_yields_only_safe_regular_members(tmp_path: Path) -> None:
    archive = _build_zip(tmp_path / "lover.zip")
    members = list(iter_archive(archive.read_bytes(), archive.name, LIMIT))
    assert [name for name, _ in members] == _expected_members()
    for name, data in members:
        assert load_lovdata_xml(data, name, name).labels


def test_zip_member_over_the_limit_raises_naming_it(tmp_path: Path) -> None:
    archive = _build_zip(tmp_path / "lover.zip")
    with pytest.raises(LoadError, match=r"lti/2024/nl-\d+-\d+\.xml is too large"):
        list(iter_archive(archive.read_bytes(), archive.name, 100))


def test_content_decides_over_a_misleading_name(tmp_path: Path) -> None:
    archive = _build_tar(tmp_path / "lovtidend.tar.bz2", "w:bz2")
    members = list(iter_archive(archive.read_bytes(), "download.bin", LIMIT))
    assert [name for name, _ in members] == _expected_members()


def test_stopping_early_is_fine(tmp_path: Path) -> None:
    archive = _build_tar(tmp_path / "lovtidend.tar.bz2", "w:bz2")
    seen = []
    for name, _ in iter_archive(archive.read_bytes(), archive.name, LIMIT):
        seen.append(name)
        break
    assert seen == _expected_members()[:1]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("lti/2025/nl-20250620-081.xml", "lti/2025/nl-20250620-081.xml"),
        ("./lti/2025/a.xml", "lti/2025/a.xml"),
        ("lti//2025/a.xml", "lti/2025/a.xml"),
        ("/etc/passwd", None),
        ("../a.xml", None),
        ("lti/../../a.xml", None),
        ("lti\\..\\..\\a.xml", None),
        ("C:\\Windows\\a.xml", None),
        ("", None),
        (".", None),
    ],
)
def test_safe_member_path(raw: str, safe: str | None) -> None:
    assert safe_member_path(raw) == safe
