"""Format detection and bad input through `ingest.loaders.load_document`.

Whatever the bytes, `load_document` returns a Document or raises LoadError with one line.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from ingest.loaders import detect_format, load_document
from ingest.loaders.common import LoadError
from ingest.model import Document

DOCS = Path(__file__).resolve().parent / "fixtures" / "docs"


def _random_bytes(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def _pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(20, 20, "Referat fra arkivutvalget")
    pdf.text(20, 30, "Utvalget drøftet arkivplanen og rutinene for journalføring.")
    return bytes(pdf.output())


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("1 Rutine", level=1)
    document.add_paragraph("Rutinen gjelder alle enheter i kommunen.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _one_line_error(data: bytes, name: str) -> str:
    with pytest.raises(LoadError) as err:
        load_document(data, name)
    message = str(err.value)
    assert message
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------------------------
# Detection of good files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("retningslinjer-arkiv.txt", "text"),
        ("outline-risikovurdering.md", "markdown"),
        ("side.html", "html"),
    ],
)
def test_fixture_formats(name: str, fmt: str) -> None:
    data = (DOCS / name).read_bytes()
    assert detect_format(name, data) == fmt
    doc = load_document(data, f"kommune/{name}")
    assert doc.format == fmt
    assert any(s.text for s in doc.sections)


def test_pdf_and_docx_are_detected_by_content() -> None:
    pdf = _pdf_bytes()
    assert detect_format("referat.pdf", pdf) == "pdf"
    assert detect_format("referat-uten-endelse", pdf) == "pdf"
    assert load_document(pdf, "referat.pdf").format == "pdf"
    word = _docx_bytes()
    assert detect_format("rutine.docx", word) == "docx"
    doc = load_document(word, "rutine.docx")
    assert doc.format == "docx"
    assert doc.labels == ["1"]


def test_non_utf8_text_loads() -> None:
    data = "Vedtak om tilskudd\n\nSøknaden er innvilget. Beløpet utbetales i år.\n".encode("cp1252")
    doc = load_document(data, "vedtak.txt")
    assert doc.format == "text"
    assert doc.title == "Vedtak om tilskudd"
    assert "Søknaden er innvilget." in doc.sections[0].text


def test_latin1_markdown_loads() -> None:
    data = "# Rutine for å arkivere e-post\n\nGjelder også sjøtjenesten.\n".encode("latin-1")
    doc = load_document(data, "rutine.md")
    assert doc.format == "markdown"
    assert doc.title == "Rutine for å arkivere e-post"


def test_utf16_text_with_bom_loads() -> None:
    data = "Notat\n\nÆrlig talt: øvelse gjør mester.\n".encode("utf-16")
    doc = load_document(data, "notat.txt")
    assert "Ærlig talt" in doc.sections[0].text


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_random_binary_renamed_pdf() -> None:
    message = _one_line_error(_random_bytes(4096), "rapport.pdf")
    assert "not a PDF" in message


@pytest.mark.parametrize("data", [b"", b"   \n\t\n  "], ids=["empty", "whitespace"])
def test_empty_file(data: bytes) -> None:
    assert "empty" in _one_line_error(data, "tom.txt")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(2000)),
        ("bilde.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random_bytes(2000, seed=3)),
        ("bilde.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random_bytes(2000, seed=4)),
        ("data.bin", _random_bytes(3000, seed=5)),
    ],
)
def test_binary_files_are_refused(name: str, data: bytes) -> None:
    assert "unsupported type" in _one_line_error(data, name)


def test_unsupported_extension() -> None:
    assert "unsupported type" in _one_line_error(b"a;b;c\n1;2;3\n", "tabell.csv")


@pytest.mark.parametrize(
    "data",
    [
        b"<?xml version='1.0'?><dokument><tittel>Arkiv</tittel><avsnitt>tekst</dokument>",
        b"<?xml version='1.0' encoding='utf-8'?><a><b>",
        b"<rot><\x01\x02 ikke xml",
    ],
)
def test_malformed_xml_never_crashes(data: bytes) -> None:
    try:
        doc = load_document(data, "dokument.xml")
    except LoadError as err:
        assert "\n" not in str(err)
    else:
        assert isinstance(doc, Document)


def test_zip_that_is_not_docx() -> None:
    data = _zip_bytes({"notater/les-meg.txt": "Dette er en vanlig zip-fil."})
    assert "not a DOCX" in _one_line_error(data, "arkiv.docx")
    assert "not a DOCX" in _one_line_error(data, "pakke.zip")


def test_docx_name_on_other_content() -> None:
    assert "not a DOCX" in _one_line_error(b"Bare tekst, ikke Word.", "brev.docx")


def test_truncated_zip_container() -> None:
    data = _docx_bytes()
    message = _one_line_error(data[: len(data) // 3], "rutine.docx")
    assert "corrupt" in message


def test_docx_container_with_broken_xml() -> None:
    data = _zip_bytes({"word/document.xml": "<w:document><w:body><w:p>"})
    assert "DOCX" in _one_line_error(data, "brev.docx")


@pytest.mark.parametrize("fraction", [0.25, 0.75])
def test_truncated_pdf(fraction: float) -> None:
    data = _pdf_bytes()
    message = _one_line_error(data[: int(len(data) * fraction)], "referat.pdf")
    assert "PDF" in message


def test_encrypted_pdf() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(20, 20, "Hemmelig referat")
    pdf.set_encryption(owner_password="eier", user_password="passord")
    assert _one_line_error(bytes(pdf.output()), "hemmelig.pdf").startswith("encrypted PDF")


def test_markup_without_text() -> None:
    message = _one_line_error(b"<html><body><script>var x = 1;</script></body></html>", "t.html")
    assert "no text" in message


# --------------------------------------------------------------------------------------------
# The whole shared corpus
# --------------------------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.slow
def test_every_corpus_file_loads_or_fails_cleanly(corpus_dir: Path) -> None:
    files = sorted(p for p in corpus_dir.rglob("*") if p.is_file())
    if not files:
        pytest.skip("the corpus is empty")
    loaded = 0
    for path in files:
        data = path.read_bytes()
        rel = os.fspath(path.relative_to(corpus_dir))
        try:
            doc = load_document(data, rel, path.name)
        except LoadError as err:
            assert str(err) and "\n" not in str(err), rel
            continue
        assert isinstance(doc, Document), rel
        assert doc.format, rel
        loaded += 1
    assert loaded > 0
