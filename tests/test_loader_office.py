"""The DOCX, HTML, Markdown and plain-text loaders.

DOCX files are generated with python-docx; the other fixtures are in tests/fixtures/docs.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from ingest.loaders.common import LoadError
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.markdown import load_markdown
from ingest.loaders.text import load_text
from ingest.model import Document

DOCS = Path(__file__).resolve().parent / "fixtures" / "docs"


def _read(name: str) -> bytes:
    return (DOCS / name).read_bytes()


def _texts(doc: Document) -> str:
    return "\n".join(b.text for s in doc.sections for b in s.blocks)


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------


def _archive_plan_docx(title: str | None = "Arkivplan for kommunen") -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.title = title or ""
    props.author = "Arkivtjenesten"
    props.subject = "Arkiv"
    props.created = datetime(2025, 2, 3, 10, 0)
    document.styles.add_style("Overskrift 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Arkivplanen – hovedtittel", style="Title")
    document.add_paragraph("Arkivplanen beskriver hvordan kommunen danner og bevarer arkiv.")
    document.add_heading("1 Innledning", level=1)
    document.add_paragraph("Kommunen skal ha en oppdatert arkivplan.")
    document.add_heading("1.1 Formål", level=2)
    document.add_paragraph("Planen skal gi oversikt over arkivet.")
    document.add_paragraph("Journalføring av inngående post", style="List Bullet")
    document.add_paragraph("Bevaring og kassasjon", style="List Bullet")
    document.add_heading("§ 5 Taushetsplikt", level=1)
    document.add_paragraph("Opplysninger underlagt taushetsplikt skal skjermes.")
    document.add_paragraph("Artikkel 35 Vurdering av personvern", style="Overskrift 2")
    document.add_paragraph("Vurderingen gjøres før behandlingen starter.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Rolle"
    table.cell(0, 1).text = "Ansvar"
    table.cell(1, 0).text = "Arkivleder"
    table.cell(1, 1).text = "Faglig ansvar for arkivet"
    document.add_heading("Kontakt", level=1)
    document.add_paragraph("Spørsmål sendes til arkivtjenesten.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def archive_plan() -> Document:
    return load_docx(_archive_plan_docx(), "kommune/arkivplan.docx", "arkivplan.docx")


def test_docx_headings_make_sections(archive_plan: Document) -> None:
    assert archive_plan.labels == ["1", "1.1", "§ 5", "Artikkel 35", "Kontakt"]
    formal = archive_plan.section("1.1")
    assert formal is not None
    assert formal.heading == "Formål"
    assert formal.path == ["1", "1.1"]
    article = archive_plan.section("Artikkel 35")
    assert article is not None
    assert article.path == ["§ 5", "Artikkel 35"]  # "Overskrift 2" nests under a level 1
    assert archive_plan.section("Kontakt") is not None


def test_docx_text_before_first_heading(archive_plan: Document) -> None:
    first = archive_plan.sections[0]
    assert first.label == ""
    assert first.text == "Arkivplanen beskriver hvordan kommunen danner og bevarer arkiv."


def test_docx_list_items_and_tables_are_blocks(archive_plan: Document) -> None:
    formal = archive_plan.section("1.1")
    assert formal is not None
    assert [b.text for b in formal.blocks] == [
        "Planen skal gi oversikt over arkivet.",
        "• Journalføring av inngående post",
        "• Bevaring og kassasjon",
    ]
    article = archive_plan.section("Artikkel 35")
    assert article is not None
    assert article.blocks[-1].text == "Rolle | Ansvar\nArkivleder | Faglig ansvar for arkivet"
    assert all(b.page is None for s in archive_plan.sections for b in s.blocks)


def test_docx_metadata(archive_plan: Document) -> None:
    assert archive_plan.title == "Arkivplan for kommunen"
    assert archive_plan.meta["author"] == "Arkivtjenesten"
    assert archive_plan.meta["created"] == "2025-02-03"
    assert archive_plan.format == "docx"
    assert archive_plan.language == "nb"
    assert archive_plan.doc_type == "other"


def test_docx_title_from_title_style_without_core_title() -> None:
    doc = load_docx(_archive_plan_docx(title=None), "a.docx", "a.docx")
    assert doc.title == "Arkivplanen – hovedtittel"


def test_corrupt_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document><w:body>")
    with pytest.raises(LoadError, match="corrupt DOCX"):
        load_docx(buffer.getvalue(), "c.docx", "c.docx")


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> Document:
    return load_html(_read("side.html"), "web/side.html", "side.html")


def test_html_drops_page_furniture(page: Document) -> None:
    text = _texts(page)
    for gone in ("skal ikke med", "font-family", "Forsiden", "toppfelt", "bunnfelt"):
        assert gone not in text


def test_html_headings_make_sections(page: Document) -> None:
    assert page.labels == ["Personvernerklæring", "§ 3", "Artikkel 13", "3.1", "Klage"]
    purpose = page.section("§ 3")
    assert purpose is not None
    assert purpose.heading == "Formål"
    assert purpose.path == ["Personvernerklæring", "§ 3"]
    assert [b.text for b in purpose.blocks] == [
        "Formålet er å gi innbyggerne\noversikt over behandlingen.",
        "Saksbehandling",
        "Arkivering",
    ]
    contact = page.section("3.1")
    assert contact is not None
    assert contact.path == ["Personvernerklæring", "Artikkel 13", "3.1"]
    assert contact.text == "Rolle | E-post\nPersonvernombud | personvern@kommune.example"


def test_html_mixed_content_keeps_order(page: Document) -> None:
    complaint = page.section("Klage")
    assert complaint is not None
    assert [b.text for b in complaint.blocks] == [
        "Du kan klage til Datatilsynet.",
        "Klagen bør være skriftlig.",
        "Svar kommer innen en måned.",
    ]


def test_html_metadata(page: Document) -> None:
    assert page.title == "Personvern i kommunen"
    assert page.language == "nb"
    assert page.format == "html"
    first = page.sections[0]
    assert first.text == "Kommunen behandler personopplysninger bare når det er nødvendig."


def test_html_title_from_h1_and_language_from_text() -> None:
    data = (
        b"<html><body><h1>Guidance on records</h1><p>The controller shall keep records "
        b"of the processing and of the purposes of the processing.</p></body></html>"
    )
    doc = load_html(data, "g.html", "g.html")
    assert doc.title == "Guidance on records"
    assert doc.language == "en"


def test_html_in_a_legacy_encoding() -> None:
    data = (
        '<html><head><meta charset="windows-1252"><title>Søknad</title></head>'
        "<body><p>Søknaden må være mottatt før fristen går ut.</p></body></html>"
    ).encode("cp1252")
    doc = load_html(data, "s.html", "s.html")
    assert doc.title == "Søknad"
    assert "Søknaden må være mottatt" in _texts(doc)


def test_html_malformed_does_not_crash() -> None:
    doc = load_html(b"<html><body><p>Uavsluttet <b>avsnitt<div>mer tekst", "m.html", "m.html")
    assert "Uavsluttet" in _texts(doc)
    assert "mer tekst" in _texts(doc)


# --------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guide() -> Document:
    return load_markdown(_read("veileder-innsyn.md"), "veileder.md", "veileder-innsyn.md")


def test_markdown_front_matter(guide: Document) -> None:
    assert guide.title == "Veileder for innsyn i kommunale saksdokumenter"
    assert guide.short_title == "Innsynsveilederen"
    assert guide.abbreviation == "IV"
    assert guide.doc_type == "guidance"
    assert guide.language == "nb"
    assert guide.jurisdiction == "NO"
    assert guide.status == "in_force"
    assert guide.adopted is not None and guide.adopted.isoformat() == "2024-03-01"
    assert guide.in_force_from is not None and guide.in_force_from.isoformat() == "2024-04-01"
    assert guide.last_amended is not None and guide.last_amended.isoformat() == "2025-01-15"
    assert guide.url == "https://kommune.example/innsyn"
    assert guide.meta == {"ansvarlig": "Arkivtjenesten", "emneord": "innsyn, arkiv"}
    assert guide.format == "markdown"


def test_markdown_heading_labels(guide: Document) -> None:
    assert guide.labels == [
        "Veileder for innsyn",
        "§ 28",
        "Artikkel 35",
        "3.2",
        "III",
        "III.B",
        "III.B.a",
        "Kontaktinformasjon",
    ]
    criteria = guide.section("III.B.a")
    assert criteria is not None
    assert criteria.heading == "Når er innsyn aktuelt?"
    assert criteria.path == ["Veileder for innsyn", "III", "III.B", "III.B.a"]
    section = guide.section("§ 28")
    assert section is not None
    assert section.heading == "Klage på avslag"
    assert len(section.blocks) == 2


def test_markdown_inline_markup_and_code(guide: Document) -> None:
    criteria = guide.section("III.B.a")
    assert criteria is not None
    assert criteria.text == "Hovedregelen er offentlighet, med unntak etter lov."
    deadlines = guide.section("3.2")
    assert deadlines is not None
    assert "# dette er ikke en overskrift" in deadlines.text  # inside a code fence
    assert "Innsynskrav skal besvares uten ugrunnet opphold." in deadlines.text


def test_markdown_english_keys_and_title_from_heading() -> None:
    data = (
        b"---\ntitle: Records guidance\ndoc_type: guidance\nlanguage: en\nstatus: unknown\n---\n"
        b"# Another heading\n\nThe controller keeps records of processing.\n"
    )
    doc = load_markdown(data, "r.md", "r.md")
    assert doc.title == "Records guidance"
    assert doc.language == "en"
    plain = load_markdown(b"# Rutine for arkiv\n\nTekst om rutinen.\n", "p.md", "rutine.md")
    assert plain.title == "Rutine for arkiv"
    nameless = load_markdown(b"Bare tekst uten overskrift.\n", "n.md", "notat-om-arkiv.md")
    assert nameless.title == "notat-om-arkiv"


@pytest.mark.parametrize(
    ("front", "key"),
    [
        ("type: brosjyre", "doc_type"),
        ("doc_type: law2", "doc_type"),
        ("språk: tysk", "language"),
        ("language: de", "language"),
        ("status: gjeldende", "status"),
        ("jurisdiction: SE", "jurisdiction"),
        ("adopted: i fjor", "adopted"),
    ],
)
def test_markdown_invalid_front_matter_value(front: str, key: str) -> None:
    data = f"---\ntitle: Test\n{front}\n---\n# Overskrift\n\nTekst.\n".encode()
    with pytest.raises(LoadError) as err:
        load_markdown(data, "x.md", "x.md")
    assert f"invalid {key}" in str(err.value)
    assert "\n" not in str(err.value)


def test_markdown_invalid_yaml() -> None:
    data = b"---\ntitle: [uavsluttet\n---\n# Overskrift\n"
    with pytest.raises(LoadError, match="invalid YAML front matter"):
        load_markdown(data, "y.md", "y.md")


def test_markdown_without_headings_follows_plain_outline() -> None:
    doc = load_markdown(_read("outline-risikovurdering.md"), "o.md", "outline-risikovurdering.md")
    assert doc.labels == [
        "I",
        "II",
        "III",
        "III.A",
        "III.B",
        "III.B.a",
        "III.B.b",
        "IV",
        "Vedlegg 1",
    ]
    criteria = doc.section("III.B.a")
    assert criteria is not None
    assert criteria.path == ["III", "III.B", "III.B.a"]
    assert "1. Evaluering eller poengsetting" in criteria.text
    assert "3. Systematisk overvåking" in criteria.text
    # the table of contents at the top is text, not headings
    assert "I. INNLEDNING" in doc.sections[0].text


@pytest.mark.corpus
def test_dpia_guidelines_criteria_section(corpus_dir: Path) -> None:
    path = corpus_dir / "dpia-guidance" / "WP248-DPIA-Guidelines.md"
    if not path.is_file():
        pytest.skip("WP248 Markdown not in the corpus")
    doc = load_markdown(path.read_bytes(), path.name, path.name)
    criteria = doc.section("III.B.a")
    assert criteria is not None
    assert criteria.path == ["III", "III.B", "III.B.a"]
    assert "Evaluation or scoring" in criteria.text
    assert doc.labels.count("III.B.a") == 1
    assert {"I", "II", "III", "III.A", "III.B", "III.C", "III.D", "IV"} <= set(doc.labels)
    assert doc.language == "en"


# --------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------


def test_text_sections_from_numbered_headings() -> None:
    doc = load_text(_read("retningslinjer-arkiv.txt"), "r.txt", "retningslinjer-arkiv.txt")
    assert doc.labels == ["1", "2", "2.1", "3"]
    first = doc.sections[0]
    assert first.label == ""
    assert first.blocks[0].text == "Retningslinjer for arkiv og journalføring i kommunen"
    exceptions = doc.section("2.1")
    assert exceptions is not None
    assert exceptions.path == ["2", "2.1"]
    # a numbered list inside a paragraph is not a heading
    assert "1. Registrer dokumentet\n2. Fordel saken" in exceptions.text
    assert doc.title == "Retningslinjer for arkiv og journalføring i kommunen"
    assert doc.format == "text"
    assert doc.language == "nb"


def test_text_without_headings_is_one_section() -> None:
    data = "Møtereferat\n\nFørste avsnitt om arkiv.\n\nAndre avsnitt\nover to linjer.\n"
    doc = load_text(data.encode(), "m.txt", "m.txt")
    assert [s.label for s in doc.sections] == [""]
    assert [b.text for b in doc.sections[0].blocks] == [
        "Møtereferat",
        "Første avsnitt om arkiv.",
        "Andre avsnitt\nover to linjer.",
    ]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_text_encodings(encoding: str) -> None:
    text = "Søknad om tilskudd\n\nKommunen må få søknaden før fristen. Æ, ø og å skal vises riktig."
    doc = load_text(text.encode(encoding), "s.txt", "s.txt")
    assert doc.title == "Søknad om tilskudd"
    assert "Æ, ø og å skal vises riktig." in _texts(doc)
    assert "\ufeff" not in doc.title


def test_text_bytes_invalid_in_every_encoding() -> None:
    data = b"Saksnotat\n\nTekst \x81\x8d\x8f\x90\x9d med \xff\xfe\x00 rare bytes \xc3\x28 her."
    doc = load_text(data, "x.txt", "x.txt")
    assert "Tekst" in _texts(doc)


def test_text_title_is_shortened_and_falls_back_to_name() -> None:
    long_line = "Dette er en svært lang første linje " * 10
    doc = load_text(long_line.encode(), "l.txt", "l.txt")
    assert len(doc.title) <= 121
    assert doc.title.endswith("…")
    with pytest.raises(LoadError):
        load_text(b"   \n\n  ", "e.txt", "tom.txt")


@pytest.mark.corpus
def test_seed_text_files_load(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "seeds").glob("*.txt"))
    if not files:
        pytest.skip("no seed text files in the corpus")
    for path in files:
        doc = load_text(path.read_bytes(), path.name, path.name)
        assert doc.title
        assert any(s.text.strip() for s in doc.sections), path.name
        assert doc.language in ("nb", "nn")
