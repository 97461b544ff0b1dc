"""Download the catalogue of official sources (knowledge/sources.yaml) to a local folder.

`load_catalogue` reads and validates the catalogue; `pull_sources` fetches each entry's URL to
`dest/<file>`. A download is written to a temporary file in the destination folder and renamed
into place only when it is complete, so a failed or interrupted download never leaves a half
file behind and never replaces a good earlier copy.

Every entry ends up in exactly one of `PullReport.ok`, `PullReport.failed` or
`PullReport.skipped` (no URL), each failure with a one-line reason. `PullReport.reachable` is
False when every download attempt failed because the host could not be reached at all, so the
CLI can say plainly that the machine is offline instead of listing one error per source.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, get_args
from urllib.parse import urlsplit

import httpx
import yaml

from ingest.model import DOC_TYPES, Jurisdiction, Language, Status

LANGUAGES: tuple[str, ...] = get_args(Language)
JURISDICTIONS: tuple[str, ...] = get_args(Jurisdiction)
STATUSES: tuple[str, ...] = get_args(Status)

USER_AGENT = "regelrett-sources-pull/0.1"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KNOWN_KEYS = {
    "id",
    "title",
    "short_title",
    "abbreviation",
    "doc_type",
    "language",
    "jurisdiction",
    "status",
    "ref_id",
    "url",
    "download_url",
    "file",
    "note",
    "in_force_from",
    "repealed_from",
    "replaces",
    "group",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CatalogueEntry:
    """One official source in the catalogue.

    `url` is the official address shown to users and cited; `download_url`, when set, is the
    address of the same text in a form better suited for ingestion (used by `pull_sources`
    instead of `url`). `file` is the plain file name the download is saved as.
    """

    id: str
    title: str
    doc_type: str
    language: str
    jurisdiction: str | None = None
    short_title: str | None = None
    abbreviation: str | None = None
    status: str | None = None
    ref_id: str | None = None
    url: str | None = None
    download_url: str | None = None
    file: str | None = None
    note: str | None = None
    in_force_from: str | None = None  # ISO date, where the source does not say it itself
    repealed_from: str | None = None  # ISO date
    replaces: str | None = None  # the id (or ref_id) of the source this one replaces
    group: str | None = None  # bulk datasets: a name to pull several by ("lovdata")

    @property
    def fetch_url(self) -> str | None:
        return self.download_url or self.url


@dataclass(frozen=True)
class PullOutcome:
    """The result for one catalogue entry: `path` and `size` when saved, `reason` when not."""

    id: str
    url: str
    path: Path | None = None
    size: int = 0
    reason: str = ""
    connection_error: bool = False


@dataclass
class PullReport:
    """What `pull_sources` did: saved entries, failed entries, and entries without a URL."""

    ok: list[PullOutcome] = field(default_factory=list)
    failed: list[PullOutcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reachable: bool = True

    @property
    def attempted(self) -> int:
        return len(self.ok) + len(self.failed)

    def summary(self) -> str:
        """One line for the CLI, e.g. '12 saved, 2 failed, 1 without URL'."""
        if not self.reachable:
            return (
                f"sources could not be reached: all {self.attempted} downloads failed "
                "with a connection error (offline?)"
            )
        return f"{len(self.ok)} saved, {len(self.failed)} failed, {len(self.skipped)} without URL"


# --- catalogue -------------------------------------------------------------------------------


def _opt_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, date):  # YAML reads an unquoted 2026-01-01 as a date
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{where}: {key} must be a string, got {type(value).__name__}")
    return str(value).strip() or None


def _check_choice(value: str | None, allowed: tuple[str, ...], key: str, where: str) -> None:
    if value is not None and value not in allowed:
        raise ValueError(
            f"{where}: unknown {key} {value!r} (expected one of: {', '.join(allowed)})"
        )


def _check_url(value: str | None, key: str, where: str) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{where}: {key} {value!r} is not an http(s) URL")


def _check_file(value: str | None, where: str) -> None:
    if value is None:
        return
    name = PurePosixPath(value)
    if "/" in value or "\\" in value or name.name in {"", ".", ".."} or value.startswith("."):
        raise ValueError(f"{where}: file {value!r} must be a plain file name, not a path")


def _check_date(value: str | None, key: str, where: str) -> None:
    if value is not None and not _DATE.match(value):
        raise ValueError(f"{where}: {key} {value!r} is not a date (YYYY-MM-DD)")


def _entry(raw: object, index: int) -> CatalogueEntry:
    if not isinstance(raw, dict):
        raise ValueError(f"source #{index + 1}: expected a mapping, got {type(raw).__name__}")
    ident = _opt_str(raw, "id", f"source #{index + 1}")
    if ident is None or not _ID.match(ident):
        raise ValueError(
            f"source #{index + 1}: id {ident!r} must be a slug (lower-case letters, digits, -)"
        )
    where = f"source {ident!r}"
    if raw.get("jurisdiction") is False:  # YAML 1.1 reads an unquoted NO (Norway) as false
        raw = {**raw, "jurisdiction": "NO"}
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key(s): {', '.join(map(str, unknown))}")
    title = _opt_str(raw, "title", where)
    if title is None:
        raise ValueError(f"{where}: title is missing")
    values = {key: _opt_str(raw, key, where) for key in _KNOWN_KEYS - {"id", "title"}}
    doc_type, language = values.pop("doc_type"), values.pop("language")
    if doc_type is None:
        raise ValueError(f"{where}: doc_type is missing")
    if language is None:
        raise ValueError(f"{where}: language is missing")
    _check_choice(doc_type, DOC_TYPES, "doc_type", where)
    _check_choice(language, LANGUAGES, "language", where)
    _check_choice(values["jurisdiction"], JURISDICTIONS, "jurisdiction", where)
    _check_choice(values["status"], STATUSES, "status", where)
    _check_url(values["url"], "url", where)
    _check_url(values["download_url"], "download_url", where)
    _check_file(values["file"], where)
    _check_date(values["in_force_from"], "in_force_from", where)
    _check_date(values["repealed_from"], "repealed_from", where)
    if (values["url"] or values["download_url"]) and values["file"] is None:
        raise ValueError(f"{where}: has a url but no file name to save it as")
    return CatalogueEntry(id=ident, title=title, doc_type=doc_type, language=language, **values)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ValueError(f"{path}: expected a top-level 'sources:' list")
    return data


def load_catalogue(path: Path) -> list[CatalogueEntry]:
    """Read and validate a sources catalogue. Raises ValueError naming the offending entry."""
    entries = [_entry(raw, i) for i, raw in enumerate(_read(path)["sources"])]
    _check_unique(entries)
    ids = {e.id for e in entries}
    for entry in entries:
        if entry.replaces and entry.replaces not in ids and "/" not in entry.replaces:
            raise ValueError(
                f"source {entry.id!r}: replaces {entry.replaces!r}, which is neither an id in "
                "the catalogue nor a ref_id (lov/…, forskrift/…)"
            )
    return entries


def load_bulk(path: Path) -> list[CatalogueEntry]:
    """The catalogue's `bulk:` datasets (Lovdata's archives of all current laws and central
    regulations), each with a `group` to pull them by."""
    raw = _read(path).get("bulk") or []
    if not isinstance(raw, list):
        raise ValueError(f"{path}: 'bulk:' must be a list")
    entries = [_entry(item, i) for i, item in enumerate(raw)]
    _check_unique(entries)
    return entries


def _check_unique(entries: list[CatalogueEntry]) -> None:
    seen_ids: set[str] = set()
    seen_files: set[str] = set()
    for entry in entries:
        if entry.id in seen_ids:
            raise ValueError(f"source {entry.id!r}: duplicate id")
        seen_ids.add(entry.id)
        if entry.file is not None:
            if entry.file in seen_files:
                raise ValueError(f"source {entry.id!r}: file {entry.file!r} is used twice")
            seen_files.add(entry.file)


# --- download --------------------------------------------------------------------------------


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _download(client: httpx.Client, url: str, target: Path) -> int:
    """Stream `url` into `target` atomically; returns the byte count. Raises on any failure."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out, client.stream("GET", url, follow_redirects=True) as resp:
            resp.raise_for_status()
            for chunk in resp.iter_bytes():
                out.write(chunk)
                size += len(chunk)
        if size == 0:
            raise ValueError(f"empty response from {_host(url)}")
        os.replace(tmp, target)
        return size
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _failure(entry_id: str, url: str, exc: Exception, timeout: float) -> PullOutcome:
    host = _host(url)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        reason = f"cannot reach {host}: no network connection (offline?)"
        return PullOutcome(entry_id, url, reason=reason, connection_error=True)
    if isinstance(exc, httpx.HTTPStatusError):
        resp = exc.response
        reason = f"HTTP {resp.status_code} {resp.reason_phrase} from {resp.request.url}".rstrip()
    elif isinstance(exc, httpx.TimeoutException):
        reason = f"timed out after {timeout:g} s waiting for {host}"
    elif isinstance(exc, httpx.HTTPError):
        reason = f"download from {host} failed: {type(exc).__name__}: {exc}"
    elif isinstance(exc, OSError):
        reason = f"cannot save the file: {exc.strerror or exc}"
    else:
        reason = str(exc)
    return PullOutcome(entry_id, url, reason=" ".join(reason.split()))


def _select(
    entries: list[CatalogueEntry], bulk: list[CatalogueEntry], only: list[str] | None
) -> list[CatalogueEntry]:
    """All sources (not the bulk datasets) by default; else the ids and groups in `only`."""
    if only is None:
        return entries
    every = entries + bulk
    known = {e.id for e in every} | {e.group for e in bulk if e.group}
    missing = [i for i in only if i not in known]
    if missing:
        raise ValueError(f"unknown source id(s): {', '.join(missing)}")
    wanted = set(only)
    return [e for e in every if e.id in wanted or (e.group is not None and e.group in wanted)]


def pull_sources(
    catalogue: Path,
    dest: Path,
    *,
    only: list[str] | None = None,
    client: httpx.Client | None = None,
    timeout: float = 20.0,
) -> PullReport:
    """Download every catalogue entry with a URL (or only the ids and groups in `only`, such as
    "lovdata" for Lovdata's bulk archives) to `dest/<file>`.

    Raises ValueError for an invalid catalogue or an unknown id in `only`; download failures
    never raise but are recorded in the report.
    """
    entries = _select(load_catalogue(catalogue), load_bulk(catalogue), only)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
    report = PullReport()
    try:
        for entry in entries:
            url = entry.fetch_url
            if url is None or entry.file is None:
                report.skipped.append(entry.id)
                continue
            target = dest / entry.file
            try:
                size = _download(http, url, target)
            except (httpx.HTTPError, OSError, ValueError) as exc:
                report.failed.append(_failure(entry.id, url, exc, timeout))
            else:
                report.ok.append(PullOutcome(entry.id, url, path=target, size=size))
    finally:
        if own_client:
            http.close()
    report.reachable = not (
        report.attempted > 0 and not report.ok and all(f.connection_error for f in report.failed)
    )
    return report


__all__ = [
    "CatalogueEntry",
    "PullOutcome",
    "PullReport",
    "load_bulk",
    "load_catalogue",
    "pull_sources",
]


class DownloadError(Exception):
    """A URL could not be downloaded; the message is one line for a user."""


def fetch_url(
    url: str, dest_dir: Path, *, client: httpx.Client | None = None, timeout: float = 20.0
) -> Path:
    """Download one URL into `dest_dir` (atomically), keeping the URL's file name for format
    hints. Raises DownloadError with a clear reason."""
    parsed = urlsplit(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise DownloadError(f"not an http(s) URL: {url}")
    name = Path(parsed.path).name or "index.html"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    target_dir = Path(dest_dir) / digest
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    own = client is None
    http = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
    try:
        _download(http, url, target)
    except (httpx.HTTPError, OSError, ValueError) as exc:
        raise DownloadError(_failure(url, url, exc, timeout).reason) from exc
    finally:
        if own:
            http.close()
    return target
