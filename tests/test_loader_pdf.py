"""The PDF loader: pages, printed page labels, numbered headings, clean paragraph text, errors.

PDFs are generated with fpdf2 inside the tests; the corpus tests read the shared corpus.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.loaders.common import LoadError
from ingest.loaders.pdf import ENCRYPTED, NO_TEXT, join_lines, load_pdf
from ingest.model import Document

HEADER = "Retningslinjer for saksbehandling"


def _new_pdf(title: str | None = None) -> FPDF:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    return pdf


def _write_lines(pdf: FPDF, lines: Sequence[str], top: float = 25) -> None:
    for k, line in enumerate(lines):
        pdf.text(20, top + k * 6, line)


def _guideline_pdf() -> bytes:
    """Cover, a table of contents, and three numbered pages with a running header and footer."""
    pdf = _new_pdf(title="Retningslinjer for saksbehandling i kommunen")
    pdf.add_page()
    pdf.set_page_label(label_style="r")
    _write_lines(pdf, ["Kommunen", "Retningslinjer for saksbehandling", "Versjon 2.0, 2025"])
    pdf.add_page()
    toc = [
        "Innhold",
        "1 Innledning . . . . . . . . . . . . . . . . . . . . 1",
        "1.1 Formål . . . . . . . . . . . . . . . . . . . . 1",
        "2 Tilgang . . . . . . . . . . . . . . . . . . . . 2",
        "2.1 Tilgangskoder . . . . . . . . . . . . . . . . 2",
        "2.2 Logging . . . . . . . . . . . . . . . . . . . 3",
    ]
    _write_lines(pdf, toc)
    body = [
        [
            "1 Innledning",
            "Denne retningslinjen beskriver hvordan kommunen sikrer god saks-",
            "behandling og riktig bruk av e-post i arbeidet med innsynskrav.",
            "Den gjelder for alle enheter.",
            "1.1 Formål",
            "Formålet er å gi de ansatte en felles praksis for journalføring og",
            "arkivering av dokumenter som kommer inn til kommunen.",
        ],
        [
            "2 Tilgang",
            "Alle brukere skal ha personlig tilgang til fagsystemet.",
            "2.1 Tilgangskoder",
            "Tilgangskoder brukes for å skjerme opplysninger i offentlig journal",
            "når opplysningene er underlagt taushetsplikt.",
        ],
        [
            "Tilgangskoden skal registreres på mappe, registrering og",
            "dokumentbeskrivelse.",
            "2.2 Logging",
            "Alle endringer i tilgangskoder skal logges.",
        ],
    ]
    for n, lines in enumerate(body, start=1):
        pdf.add_page()
        if n == 1:
            pdf.set_page_label(label_style="D", label_start=1)
        pdf.text(20, 12, HEADER)
        _write_lines(pdf, lines)
        pdf.text(100, 287, f"Side {n}")
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def guideline() -> Document:
    return load_pdf(_guideline_pdf(), "kommune/retningslinjer.pdf", "retningslinjer.pdf")


def _blocks(doc: Document) -> list[tuple[str, int | None, str | None, str]]:
    return [(s.label, b.page, b.page_label, b.text) for s in doc.sections for b in s.blocks]


# --------------------------------------------------------------------------------------------
# Structure, pages and labels
# --------------------------------------------------------------------------------------------


def test_numbered_headings_become_sections_and_toc_entries_do_not(guideline: Document) -> None:
    assert guideline.labels == ["1", "1.1", "2", "2.1", "2.2"]
    assert guideline.section("2.1") is not None
    section = guideline.section("2.1")
    assert section is not None
    assert section.heading == "Tilgangskoder"
    assert section.path == ["2", "2.1"]
    assert guideline.section("1.1") is not None


def test_text_before_the_first_heading_has_the_empty_label(guideline: Document) -> None:
    first = guideline.sections[0]
    assert first.label == ""
    assert first.page_start == 1
    # the table of contents stays readable text in the front matter, one entry per line
    toc_text = first.text
    assert "2.1 Tilgangskoder" in toc_text
    assert ". . ." not in toc_text


def test_pages_are_physical_and_labels_printed(guideline: Document) -> None:
    section = guideline.section("2.1")
    assert section is not None
    assert (section.page_start, section.page_end) == (4, 5)
    pages = {(page, label) for _, page, label, _ in _blocks(guideline)}
    assert (1, "i") in pages
    assert (2, "ii") in pages
    assert (3, "1") in pages
    assert (5, "3") in pages


def test_a_block_never_spans_two_pages(guideline: Document) -> None:
    section = guideline.section("2.1")
    assert section is not None
    on_page_4 = [b.text for b in section.blocks if b.page == 4]
    on_page_5 = [b.text for b in section.blocks if b.page == 5]
    assert any("taushetsplikt" in t for t in on_page_4)
    assert not any("dokumentbeskrivelse" in t for t in on_page_4)
    assert any("dokumentbeskrivelse" in t for t in on_page_5)


def test_running_header_and_page_numbers_are_dropped(guideline: Document) -> None:
    for _, page, _, text in _blocks(guideline):
        if page and page >= 3:
            assert HEADER not in text
            assert not re.search(r"\bSide \d", text)


def test_end_of_line_hyphen_is_rejoined_but_compounds_keep_theirs(guideline: Document) -> None:
    section = guideline.section("1")
    assert section is not None
    assert "god saksbehandling og riktig bruk av e-post" in section.text
    assert "saks-" not in section.text


def test_metadata(guideline: Document) -> None:
    assert guideline.title == "Retningslinjer for saksbehandling i kommunen"
    assert guideline.format == "pdf"
    assert guideline.doc_type == "other"
    assert guideline.language == "nb"
    assert guideline.meta["pages"] == "5"
    assert guideline.source_id == "kommune/retningslinjer.pdf"


def test_title_from_first_page_without_metadata() -> None:
    pdf = _new_pdf()
    pdf.add_page()
    _write_lines(pdf, ["Plan for informasjonssikkerhet", "Kommunen har ansvar for sikkerheten."])
    doc = load_pdf(bytes(pdf.output()), "plan.pdf", "plan.pdf")
    assert doc.title == "Plan for informasjonssikkerhet"


def test_english_pdf_language() -> None:
    pdf = _new_pdf()
    pdf.add_page()
    _write_lines(
        pdf,
        [
            "Guidance on the assessment of the impact of processing",
            "The controller shall carry out an assessment of the impact of the",
            "processing operations on the protection of personal data. This is",
            "required where the processing is likely to result in a high risk.",
        ],
    )
    doc = load_pdf(bytes(pdf.output()), "g.pdf", "g.pdf")
    assert doc.language == "en"


# --------------------------------------------------------------------------------------------
# Margin line numbers, numbered paragraphs, footnotes
# --------------------------------------------------------------------------------------------

NUMBERED_LINES = [
    "Arkivet skal bygge på en løsning som følger Noark 5",
    "og som gjør det mulig å søke fram dokumenter i saks-",
    "behandlingen. Løsningen skal sikre at dokumentene",
    "bevares i autentisk form, og at de kan gjenfinnes.",
    "Alle dokumenter som inngår i en sak skal knyttes til",
    "saken, og saken skal ha en ansvarlig saksbehandler.",
    "Kommunen skal ha rutiner for avslutning av saker og",
    "for periodisering av arkivet hvert femte år.",
    "Rutinene skal gjennomgås av arkivlederen hvert år.",
    "Endringer skal godkjennes av kommunedirektøren.",
]


@pytest.mark.parametrize("glued", [True, False], ids=["glued", "spaced"])
def test_margin_line_numbers_are_removed(glued: bool) -> None:
    pdf = _new_pdf()
    first = 233
    for start in (0, 5):
        pdf.add_page()
        for k, line in enumerate(NUMBERED_LINES[start : start + 5]):
            y = 30 + k * 6
            number = str(first + start + k)
            if glued:
                pdf.text(20, y, line + number)
            else:
                pdf.text(20, y, line)
                pdf.text(195, y, number)
    doc = load_pdf(bytes(pdf.output()), "n.pdf", "n.pdf")
    text = "\n".join(b.text for s in doc.sections for b in s.blocks)
    assert not re.search(r"\d{3}\b", text), text
    assert "følger Noark 5 og som" in text
    assert "saksbehandlingen" in text
    assert not re.search(r"[A-Za-zæøå]{3,}\d{2,}", text)


def test_numbered_items_are_not_taken_for_line_numbers() -> None:
    """'Endring 1', 'Endring 2', ... each followed by text: a count, not margin numbering."""
    pdf = _new_pdf()
    for n in range(1, 31):
        if n % 8 == 1:
            pdf.add_page()
            y = 20.0
        pdf.text(20, y, f"Endring {n}")
        pdf.text(20, y + 6, "Teksten i bestemmelsen endres slik at kommunen")
        pdf.text(20, y + 12, "skal vurdere saken på nytt.")
        y += 30
    doc = load_pdf(bytes(pdf.output()), "e.pdf", "e.pdf")
    text = "\n".join(b.text for s in doc.sections for b in s.blocks)
    for n in (1, 2, 17, 30):
        assert f"Endring {n} " in text + " "


def test_footnotes_and_numbered_paragraphs_are_not_headings() -> None:
    pdf = _new_pdf()
    for n in (1, 2):
        pdf.add_page()
        _write_lines(
            pdf,
            [
                f"Kommunen viser til personopplysningsloven{n} og forskriften.",
                "Behandlingen skal ha et klart formål.",
            ],
        )
        pdf.text(20, 270, f"{n} Lov om behandling av personopplysninger")
    doc = load_pdf(bytes(pdf.output()), "f.pdf", "f.pdf")
    assert doc.labels == []
    assert "Lov om behandling av personopplysninger" in doc.sections[0].text


def test_chapter_lines_and_appendices() -> None:
    pdf = _new_pdf()
    pages = [
        ["Kapittel 1", "Innledning", "Kommunen skal ha en arkivplan.", "1.1 Formål", "Tekst."],
        ["1.2 Ansvar", "Arkivlederen har ansvaret.", "Kapittel 2", "Arkivdanning og", "bevaring"],
        ["2.1 Bevaring", "Dokumentene skal bevares.", "Tillegg A", "Ordliste", "Tekst her."],
        ["A.1 Begreper", "Et begrep er et ord med en bestemt betydning i arkivet."],
    ]
    for lines in pages:
        pdf.add_page()
        _write_lines(pdf, lines)
    doc = load_pdf(bytes(pdf.output()), "k.pdf", "k.pdf")
    assert doc.labels == ["1", "1.1", "1.2", "2", "2.1", "Tillegg A", "A.1"]
    chapter = doc.section("2")
    assert chapter is not None
    assert chapter.heading == "Arkivdanning og bevaring"
    assert chapter.kind == "chapter"
    appendix = doc.section("A.1")
    assert appendix is not None
    assert appendix.path == ["Tillegg A", "A.1"]


def _bookmarked_pdf() -> bytes:
    """Unnumbered headings named by the PDF's outline, a numbered one the outline names too,
    and a bookmark whose title is on no line of its page."""
    pdf = _new_pdf(title="Veileder for innsyn")
    pages = [
        ("Forord", 0, ["Forord", "Denne veilederen er skrevet for saksbehandlere i kommunen."]),
        (
            "1 Innledning",
            0,
            ["1 Innledning", "Innsyn er hovedregelen.", "Slik behandler du et krav",
             "Registrer kravet samme dag og svar uten ugrunnet opphold."],
        ),
        ("2 Behandling", 0, ["2 Behandling", "Kravet skal avgjøres uten ugrunnet opphold."]),
        ("Vedlegg", 0, ["Skjema for innsynskrav finnes på intranettet."]),
    ]  # fmt: skip
    for title, level, lines in pages:
        pdf.add_page()
        pdf.start_section(title, level)
        if title == "1 Innledning":
            pdf.start_section("Slik behandler du et krav", 1)
        _write_lines(pdf, lines)
    return bytes(pdf.output())


def test_unnumbered_headings_come_from_the_pdfs_bookmarks() -> None:
    doc = load_pdf(_bookmarked_pdf(), "veileder.pdf", "veileder.pdf")
    assert doc.labels == ["Forord", "1", "Slik behandler du et krav", "2"]
    forord = doc.section("Forord")
    assert forord is not None and forord.heading == "Forord"
    assert [b.text for b in forord.blocks] == [
        "Denne veilederen er skrevet for saksbehandlere i kommunen."
    ]
    steps = doc.section("Slik behandler du et krav")
    assert steps is not None and steps.path == ["1", "Slik behandler du et krav"]
    # the bookmark whose title is on no line of its page is no heading: its text stays put
    last = doc.section("2")
    assert last is not None and "Skjema for innsynskrav" in last.blocks[-1].text
    numbered = doc.section("1")
    assert numbered is not None and numbered.heading == "Innledning"


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("god saks-", "behandling av saken", "god saksbehandling av saken"),
        ("sendes som e-", "post til kommunen", "sendes som e-post til kommunen"),
        ("trustworthy AI-", "based systems", "trustworthy AI-based systems"),
        ("helse-", "og omsorgstjenester", "helse- og omsorgstjenester"),
        ("Nord-", "Norge og Sør-Norge", "Nord-Norge og Sør-Norge"),
        ("vanlig linje", "neste linje", "vanlig linje neste linje"),
        ("myk\u00ad", "bindestrek", "mykbindestrek"),
    ],
)
def test_join_lines(first: str, second: str, joined: str) -> None:
    assert join_lines(first, second) == joined


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def _simple_pdf() -> FPDF:
    pdf = _new_pdf()
    pdf.add_page()
    _write_lines(pdf, ["Referat fra møte i arkivutvalget", "Utvalget drøftet arkivplanen."])
    return pdf


def test_encrypted_pdf_with_password() -> None:
    pdf = _simple_pdf()
    pdf.set_encryption(owner_password="eier", user_password="hemmelig")
    with pytest.raises(LoadError) as err:
        load_pdf(bytes(pdf.output()), "e.pdf", "e.pdf")
    assert str(err.value) == ENCRYPTED
    assert str(err.value) == "encrypted PDF: password protected, cannot read it"


def test_pdf_encrypted_without_user_password_loads() -> None:
    pdf = _simple_pdf()
    pdf.set_encryption(owner_password="eier")
    doc = load_pdf(bytes(pdf.output()), "e.pdf", "e.pdf")
    assert "arkivplanen" in doc.sections[0].text


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_truncated_pdf(fraction: float, caplog: pytest.LogCaptureFixture) -> None:
    data = bytes(_simple_pdf().output())
    with caplog.at_level(logging.WARNING), pytest.raises(LoadError) as err:
        load_pdf(data[: int(len(data) * fraction)], "t.pdf", "t.pdf")
    assert str(err.value).startswith("corrupt or truncated PDF")
    assert "\n" not in str(err.value)
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_garbage_after_pdf_header() -> None:
    with pytest.raises(LoadError, match="corrupt or truncated PDF"):
        load_pdf(b"%PDF-1.7\n" + bytes(range(256)) * 20, "g.pdf", "g.pdf")


def test_image_only_pdf() -> None:
    pdf = _new_pdf()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    pdf.rect(20, 20, 150, 200, style="F")
    pdf.add_page()
    pdf.rect(30, 30, 100, 100, style="F")
    with pytest.raises(LoadError) as err:
        load_pdf(bytes(pdf.output()), "skann.pdf", "skann.pdf")
    assert str(err.value) == NO_TEXT
    assert str(err.value) == "no extractable text: scanned or image-only PDF (needs OCR)"


# --------------------------------------------------------------------------------------------
# The shared corpus
# --------------------------------------------------------------------------------------------

NOARK = "arkivverket-noark5/Noark5_v5.0_spesifikasjon.pdf"
AI_ACT_AMENDMENTS = "pdf-test-samples/EP_P9_TA-2023-0236_AI_Act_amendments_2023-06-14_EN.pdf"


@pytest.fixture(scope="module")
def noark(corpus_dir: Path) -> tuple[Document, float]:
    path = corpus_dir / NOARK
    if not path.is_file():
        pytest.skip(f"{NOARK} not in the corpus")
    start = time.perf_counter()
    doc = load_pdf(path.read_bytes(), NOARK, path.name)
    return doc, time.perf_counter() - start


@pytest.mark.corpus
def test_noark_loads_in_reasonable_time(noark: tuple[Document, float]) -> None:
    doc, seconds = noark
    assert doc.meta["pages"] == "161"
    assert seconds < 30, f"Noark PDF took {seconds:.1f} s"


@pytest.mark.corpus
def test_noark_has_no_words_glued_to_line_numbers(noark: tuple[Document, float]) -> None:
    doc, _ = noark
    text = "\n".join(b.text for s in doc.sections for b in s.blocks)
    assert not re.findall(r"Noark\d{2,}", text)
    glued = re.findall(r"[A-Za-zæøå]{3,}\d{3}\b", text)
    assert glued == []
    assert "Noark 5" in text


@pytest.mark.corpus
def test_noark_sections_and_pages(noark: tuple[Document, float]) -> None:
    doc, _ = noark
    s522 = doc.section("5.2.2")
    assert s522 is not None
    assert 86 in {b.page for b in s522.blocks}
    s121 = doc.section("1.2.1")
    assert s121 is not None
    assert 18 in {b.page for b in s121.blocks}
    assert s121.path == ["1", "1.2", "1.2.1"]
    # the table of contents lists these numbers too; they must not make extra sections
    assert doc.labels.count("5.2.2") == 1
    assert doc.labels.count("1.2.1") == 1


@pytest.mark.corpus
def test_noark_page_labels(noark: tuple[Document, float]) -> None:
    doc, _ = noark
    s121 = doc.section("1.2.1")
    assert s121 is not None
    assert {(b.page, b.page_label) for b in s121.blocks} >= {(18, "2")}
    labels = {b.page: b.page_label for s in doc.sections for b in s.blocks}
    assert labels[2] == "ii"
    assert labels[86] == "70"


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "pages"),
    [("norway_national_decision_dpia_list.pdf", 4), ("opinion_2_2019_norway_dpia_list.pdf", 6)],
)
def test_dpia_pdfs(corpus_dir: Path, name: str, pages: int) -> None:
    path = corpus_dir / "dpia-guidance" / name
    if not path.is_file():
        pytest.skip(f"{name} not in the corpus")
    doc = load_pdf(path.read_bytes(), name, name)
    assert {b.page for s in doc.sections for b in s.blocks} == set(range(1, pages + 1))
    assert doc.language == "en"
    assert doc.meta["pages"] == str(pages)


@pytest.mark.corpus
def test_dpia_methodology_sections(corpus_dir: Path) -> None:
    path = corpus_dir / "dpia-guidance" / "cnil-pia-1-en-methodology.pdf"
    if not path.is_file():
        pytest.skip("methodology PDF not in the corpus")
    doc = load_pdf(path.read_bytes(), path.name, path.name)
    assert doc.language == "en"
    # unnumbered headings from the PDF's bookmarks, numbered ones from the text
    assert [x for x in doc.labels if x][:6] == [
        "Foreword",
        "Introduction",
        "How is a PIA carried out?",
        "1",
        "1.1",
        "1.2",
    ]
    assert "4.2" in doc.labels
    steps = doc.section("How is a PIA carried out?")
    assert steps is not None and {b.page for b in steps.blocks} == {5}
    assert "to carry out a PIA it is necessary to" in " ".join(b.text for b in steps.blocks)
    definitions = doc.section("Definitions")
    assert definitions is not None and definitions.path == ["Appendices", "Definitions"]


@pytest.mark.corpus
@pytest.mark.slow
def test_long_pdf_loads(corpus_dir: Path) -> None:
    path = corpus_dir / AI_ACT_AMENDMENTS
    if not path.is_file():
        pytest.skip(f"{AI_ACT_AMENDMENTS} not in the corpus")
    start = time.perf_counter()
    doc = load_pdf(path.read_bytes(), AI_ACT_AMENDMENTS, path.name)
    seconds = time.perf_counter() - start
    assert doc.meta["pages"] == "349"
    assert doc.language == "en"
    assert {b.page for s in doc.sections for b in s.blocks} >= {1, 100, 349}
    assert seconds < 60, f"349-page PDF took {seconds:.1f} s"
    text = "\n".join(b.text for s in doc.sections for b in s.blocks[:50])
    assert "Amendment 4" in text  # numbered items are not stripped as line numbers
