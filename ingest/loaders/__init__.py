"""One loader per format. `load_document` detects the format by content (then extension) and
returns a structured `Document`, or raises `LoadError` with a one-line reason.

Each loader is `load(data: bytes, source_id: str, name: str) -> Document`, where `name` is the
file name (for extension hints and a fallback title).
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import PurePosixPath

from ingest.loaders.common import LoadError
from ingest.model import Document

Loader = Callable[[bytes, str, str], Document]

# format key -> "module:function", imported on first use so start-up stays cheap.
_LOADERS: dict[str, str] = {
    "pdf": "ingest.loaders.pdf:load_pdf",
    "eurlex-xhtml": "ingest.loaders.eurlex:load_eurlex_xhtml",
    "formex": "ingest.loaders.eurlex:load_formex",
    "lovdata-md": "ingest.loaders.lovdata:load_lovdata_markdown",
    "lovdata-xml": "ingest.loaders.lovdata:load_lovdata_xml",
    "docx": "ingest.loaders.docx:load_docx",
    "html": "ingest.loaders.html:load_html",
    "markdown": "ingest.loaders.markdown:load_markdown",
    "text": "ingest.loaders.text:load_text",
}

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".xml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".pdf", ".docx"}
ARCHIVE_SUFFIXES = (".tar.bz2", ".tbz2", ".tar.gz", ".tgz", ".tar", ".zip")


def is_archive(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(ARCHIVE_SUFFIXES) and not lower.endswith(".docx")


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text with a byte-order mark
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and control / len(head) > 0.1


def _detect_markup(head: str) -> str:
    low = head.lower()
    if "<act" in low and ("formex" in low or "<bib.instance" in low or "<enacting.terms" in low):
        return "formex"
    lovdata_marks = (
        "legalarticle",
        "data-lovdata-url",
        'class="data-document-key-info"',
        'class="documentheader"',
        '<base href="https://lovdata.no/',
    )
    if any(mark in low for mark in lovdata_marks):
        return "lovdata-xml"
    eurlex_marks = ('class="oj-', "eli-subdivision", "eli-container", "title-article-norm")
    if any(mark in low for mark in eurlex_marks):
        return "eurlex-xhtml"
    if "<html" in low or "<body" in low or "<!doctype html" in low:
        return "html"
    return ""


def _detect_zip(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(BytesIO(data)).namelist()
    except zipfile.BadZipFile as exc:
        raise LoadError(f"corrupt zip/DOCX container: {exc}") from None
    if "word/document.xml" in names:
        return "docx"
    raise LoadError("unsupported type: a zip container that is not a DOCX document")


def detect_format(name: str, data: bytes) -> str:
    """The format key for a file, from its content first and its extension second."""
    suffix = PurePosixPath(name.lower()).suffix
    head = data[:65536]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if suffix == ".pdf":
        raise LoadError("not a PDF: the file has a .pdf name but no PDF header (renamed binary?)")
    if head[:4] == b"PK\x03\x04":
        return _detect_zip(data)
    if suffix == ".docx":
        raise LoadError("not a DOCX: the file has a .docx name but is not a zip container")
    if _looks_binary(head):
        raise LoadError(f"unsupported type: binary content ({suffix or 'no extension'})")
    text_head = head.decode("utf-8", errors="replace")
    stripped = text_head.lstrip("\ufeff \n\r\t")
    if stripped.startswith("---") and "\nrefid:" in text_head:
        return "lovdata-md"
    if stripped.startswith("<"):
        return _detect_markup(text_head) or "html"
    if suffix in {".md", ".markdown"}:
        return "markdown"
    if suffix in {".html", ".htm", ".xhtml", ".xml"}:
        return "html"
    if suffix and suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported type: {suffix} files are not ingested")
    return "text"


def get_loader(fmt: str) -> Loader:
    module_name, func = _LOADERS[fmt].split(":")
    module = importlib.import_module(module_name)
    loader: Loader = getattr(module, func)
    return loader


def load_document(data: bytes, source_id: str, name: str | None = None) -> Document:
    """Parse one file's bytes into a `Document`. Raises `LoadError` with a one-line reason."""
    name = name or PurePosixPath(source_id).name
    if not data.strip():
        raise LoadError("empty file")
    fmt = detect_format(name, data)
    try:
        doc = get_loader(fmt)(data, source_id, name)
    except LoadError:
        raise
    except Exception as exc:  # a loader bug or a malformed file: one line, never a traceback
        raise LoadError(f"could not parse as {fmt}: {type(exc).__name__}: {exc}") from exc
    if not doc.format:
        doc.format = fmt
    if not any(s.text.strip() for s in doc.sections):
        raise LoadError(f"no text found ({fmt})")
    return doc


__all__ = ["LoadError", "detect_format", "get_loader", "is_archive", "load_document"]
