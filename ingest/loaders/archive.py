"""Reading the members of an uploaded archive (Lovdata's bulk files are .tar.bz2).

`iter_archive` yields the regular files of a .tar.bz2/.tbz2/.tar.gz/.tgz/.tar/.zip archive as
(member path, bytes), in archive order. It never writes to disk and never follows links: it
skips directories, symbolic and hard links, device files, and members whose path is absolute
or climbs out with "..". A member larger than `max_member_bytes` or a corrupt archive raises
`LoadError` with a one-line reason.
"""

from __future__ import annotations

import gzip
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import PurePosixPath
from typing import IO

from ingest.loaders.common import LoadError

_TAR_SUFFIXES = (".tar.bz2", ".tbz2", ".tbz", ".tar.gz", ".tgz", ".tar", ".tar.xz", ".txz")
_CORRUPT = (
    tarfile.TarError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    gzip.BadGzipFile,
    ValueError,
    NotImplementedError,
)


def _kind(data: bytes, name: str) -> str:
    """'zip' or 'tar' from the content's magic bytes, else from the file name."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:3] == b"BZh" or data[:2] == b"\x1f\x8b" or data[:6] == b"\xfd7zXZ\x00":
        return "tar"
    if data[257:262] == b"ustar":
        return "tar"
    lower = name.lower()
    if lower.endswith(".zip"):
        return "zip"
    if lower.endswith(_TAR_SUFFIXES):
        return "tar"
    raise LoadError(f"{name}: not a supported archive (.tar.bz2, .tar.gz, .tgz, .tar or .zip)")


def safe_member_path(raw: str) -> str | None:
    """The member's relative POSIX path, or None when it is absolute or climbs out."""
    path = raw.replace("\\", "/")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(path).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def _read_limited(fileobj: IO[bytes], member: str, declared: int, limit: int) -> bytes:
    if declared > limit:
        raise LoadError(f"archive member {member} is too large ({declared} > {limit} bytes)")
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise LoadError(f"archive member {member} is too large (over {limit} bytes)")
    return data


def _iter_tar(data: bytes, max_member_bytes: int) -> Iterator[tuple[str, bytes]]:
    # Stream mode ("r|*") reads each member once, in order, without seeking back.
    with tarfile.open(fileobj=BytesIO(data), mode="r|*") as tar:
        for info in tar:
            if not info.isreg():
                continue
            path = safe_member_path(info.name)
            if path is None:
                continue
            fileobj = tar.extractfile(info)
            if fileobj is None:
                continue
            yield path, _read_limited(fileobj, path, info.size, max_member_bytes)


def _is_zip_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return bool(mode) and not stat.S_ISREG(mode)


def _iter_zip(data: bytes, max_member_bytes: int) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir() or _is_zip_link(info):
                continue
            path = safe_member_path(info.filename)
            if path is None:
                continue
            with archive.open(info) as fileobj:
                yield path, _read_limited(fileobj, path, info.file_size, max_member_bytes)


def iter_archive(data: bytes, name: str, max_member_bytes: int) -> Iterator[tuple[str, bytes]]:
    """Yield (member path, bytes) for each regular file in the archive, in archive order."""
    kind = _kind(data, name)
    members = (
        _iter_zip(data, max_member_bytes) if kind == "zip" else _iter_tar(data, max_member_bytes)
    )
    try:
        yield from members
    except _CORRUPT as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoadError(f"{name}: corrupt or unreadable archive: {reason}") from None


__all__ = ["iter_archive", "safe_member_path"]
