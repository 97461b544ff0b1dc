"""EUR-Lex loaders: Official Journal XHTML, the consolidated-text XHTML dialect, and Formex.

The fixtures in tests/fixtures/eurlex/ are one made-up act ("Municipal Widgets Act") written in
each markup; the corpus tests load the real AI Act and GDPR files when the corpus is present.
"""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import detect_format, load_document
from ingest.loaders.common import LoadError
from ingest.loaders.eurlex import load_eurlex_xhtml, load_formex
from ingest.model import Document, Section

OJ = "widgets_oj.xhtml"
FORMEX = "widgets_formex.xml"
CONSOLIDATED = "widgets_consolidated.xhtml"
LOADERS = {OJ: load_eurlex_xhtml, FORMEX: load_formex, CONSOLIDATED: load_eurlex_xhtml}

NOISE = re.compile(r"<[A-Za-z/!]|\bscript\b|\.js\b|[►◄▼▲\x00]|\(\s*\)")


def _read(fixtures_dir: Path, name: str) -> bytes:
    return (fixtures_dir / "eurlex" / name).read_bytes()


def _load(fixtures_dir: Path, name: str) -> Document:
    return LOADERS[name](_read(fixtures_dir, name), f"eurlex/{name}", name)


def _section(doc: Document, label: str) -> Section:
    section = doc.section(label)
    assert section is not None, f"{label} missing; labels: {doc.labels}"
    return section


def _texts(section: Section) -> list[str]:
    return [b.text for b in section.blocks]


def _outline(doc: Document) -> list[tuple[str, str, list[str], str, list[str]]]:
    return [(s.label, s.heading, s.path, s.kind, _texts(s)) for s in doc.sections]


def _assert_clean(doc: Document) -> None:
    for section in doc.sections:
        assert section.text.strip(), f"{section.label} has no text"
        match = NOISE.search(section.text)
        assert match is None, f"{section.label}: {section.text[: match.end() + 40]!r}"
        for block in section.blocks:
            assert block.text == block.text.strip()
            assert "  " not in block.text


# --------------------------------------------------------------------------- fixtures: OJ + Formex


@pytest.fixture(params=[OJ, FORMEX])
def widgets(request: pytest.FixtureRequest, fixtures_dir: Path) -> Document:
    return _load(fixtures_dir, request.param)


def test_sections_in_document_order(widgets: Document) -> None:
    assert widgets.labels == [
        "Preamble",
        "Recital 1",
        "Recital 2",
        "Recital 3",
        "Article 1",
        "Article 2",
        "Article 3",
        "Article 4",
        "Annex I",
        "Annex II",
    ]
    kinds = [s.kind for s in widgets.sections]
    assert kinds == ["preamble"] + ["recital"] * 3 + ["article"] * 4 + ["annex"] * 2


def test_headings_and_paths(widgets: Document) -> None:
    expected = {
        "Preamble": ("", ["Preamble"]),
        "Recital 2": ("", ["Recital 2"]),
        "Article 1": ("Subject matter", ["Chapter I", "Article 1"]),
        "Article 2": ("Definitions", ["Chapter I", "Article 2"]),
        "Article 3": ("Obligations of widget providers", ["Chapter II", "Section 1", "Article 3"]),
        "Article 4": ("Entry into force and application", ["Chapter II", "Section 2", "Article 4"]),
        "Annex I": ("List of widget categories", ["Annex I"]),
        "Annex II": ("Information to be registered", ["Annex II"]),
    }
    for label, (heading, path) in expected.items():
        section = _section(widgets, label)
        assert (section.heading, section.path) == (heading, path), label
    assert _section(widgets, "Article 3").heading_path == "Chapter II > Section 1 > Article 3"


def test_numbered_paragraphs_are_blocks_with_their_points(widgets: Document) -> None:
    blocks = _texts(_section(widgets, "Article 3"))
    assert len(blocks) == 3
    assert blocks[0] == (
        "1. Widget providers shall:\n"
        "(a) label each widget with its register number;\n"
        "(b) keep records of:\n"
        "(i) the municipalities supplied;\n"
        "(ii) the faults reported;\n"
        "(c) report serious faults to the register without delay.\n"
        "Point (c) of the first subparagraph shall not apply to widgets withdrawn from use."
    )
    assert blocks[1].startswith("2. The Commission shall set up a register")
    assert blocks[2] == "3. Member States shall designate a widget authority."


def test_unnumbered_article_has_a_block_per_paragraph(widgets: Document) -> None:
    assert _texts(_section(widgets, "Article 1")) == [
        "This Regulation lays down rules for the procurement, registration and use of "
        "municipal widgets."
    ]
    blocks = _texts(_section(widgets, "Article 4"))
    assert blocks == [
        "This Regulation shall enter into force on the twentieth day following that of its "
        "publication in the Official Journal of the European Union.",
        "It shall apply from 1 January 2032.",
        "However:\n(a) Article 3(2) shall apply from 1 July 2031;\n"
        "(b) Annex II shall apply from 1 January 2033.",
    ]


def test_definitions_get_a_block_each(widgets: Document) -> None:
    assert _texts(_section(widgets, "Article 2")) == [
        "For the purposes of this Regulation, the following definitions apply:",
        "(1) ‘widget’ means a device or piece of software used by a municipality to deliver a "
        "service;",
        "(2) ‘widget provider’ means any of the following:\n(a) a manufacturer of widgets;\n"
        "(b) an importer of widgets;",
        "(3) ‘register’ means the register set up under Article 3(2).",
    ]


def test_recital_is_one_block_without_its_number(widgets: Document) -> None:
    recital = _section(widgets, "Recital 1")
    assert _texts(recital) == [
        "Municipalities use widgets to deliver services to residents, and the rules on such "
        "widgets differ between Member States."
    ]


def test_preamble_keeps_citations_without_footnote_calls(widgets: Document) -> None:
    blocks = _texts(_section(widgets, "Preamble"))
    assert blocks[0] == "THE EUROPEAN PARLIAMENT AND THE COUNCIL OF THE EUROPEAN UNION,"
    assert "Having regard to the opinion of the Committee of the Regions," in blocks
    assert blocks[-1] == "HAVE ADOPTED THIS REGULATION:"


def test_footnotes_and_numbers_are_clean(widgets: Document) -> None:
    paragraph_2 = _texts(_section(widgets, "Article 3"))[1]
    assert paragraph_2 == (
        "2. The Commission shall set up a register of widgets in accordance with Regulation "
        "(EU) 2029/12. Fines shall not exceed EUR 25 000 per widget."
    )
    assert "OJ C 999" not in "\n".join(s.text for s in widgets.sections)  # footnote bodies
    _assert_clean(widgets)


def test_annexes(widgets: Document) -> None:
    assert _texts(_section(widgets, "Annex I")) == [
        "The following categories of widgets are covered:",
        "Section A. Widgets for residents\n1. Booking widgets, including:\n"
        "(a) widgets for booking sports halls;\n(b) widgets for booking meeting rooms.",
        "2. Payment widgets.",
    ]
    assert _texts(_section(widgets, "Annex II")) == [
        "1. The name of the widget provider.",
        "2. The municipalities where the widget is used:\n— by name,\n— by municipality number.",
    ]


def test_metadata(widgets: Document) -> None:
    assert widgets.title == (
        "Regulation (EU) 2031/77 of the European Parliament and of the Council of 3 March 2031 "
        "on municipal widgets and amending Regulation (EU) 2029/12 (Municipal Widgets Act)"
    )
    assert widgets.short_title == "Municipal Widgets Act"
    assert widgets.abbreviation == "2031/77"
    assert widgets.ref_id == "32031R0077"
    assert widgets.doc_type == "eu_regulation"
    assert (widgets.language, widgets.jurisdiction, widgets.status) == ("en", "EU", "in_force")
    assert widgets.adopted == date(2031, 3, 3)
    assert widgets.meta["Chapter II > Section 1"] == "Providers"
    assert widgets.meta["Chapter I"] == "GENERAL PROVISIONS"


def test_url_is_the_eli_when_the_file_has_it(fixtures_dir: Path) -> None:
    oj = _load(fixtures_dir, OJ)
    assert (oj.format, oj.url) == ("eurlex-xhtml", "http://data.europa.eu/eli/reg/2031/77/oj")
    formex = _load(fixtures_dir, FORMEX)  # this Formex file never states its ELI
    assert formex.format == "formex"
    assert formex.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32031R0077"


def test_xhtml_and_formex_give_the_same_sections(fixtures_dir: Path) -> None:
    assert _outline(_load(fixtures_dir, OJ)) == _outline(_load(fixtures_dir, FORMEX))


def test_directive_is_not_an_eu_regulation(fixtures_dir: Path) -> None:
    data = _read(fixtures_dir, OJ).replace(b"REGULATION (EU) 2031/77", b"DIRECTIVE (EU) 2031/77")
    doc = load_eurlex_xhtml(data, "eurlex/directive.xhtml", "directive.xhtml")
    assert doc.title.startswith("Directive (EU) 2031/77 of the European Parliament")
    assert (doc.doc_type, doc.ref_id) == ("other", "32031L0077")
    assert doc.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32031L0077"


def test_html_named_entities_are_accepted(fixtures_dir: Path) -> None:
    data = _read(fixtures_dir, OJ).replace(b"Payment widgets.", b"Payment&nbsp;widgets&hellip;")
    doc = load_eurlex_xhtml(data, "eurlex/entities.xhtml", "entities.xhtml")
    assert _texts(_section(doc, "Annex I"))[-1] == "2. Payment widgets\u2026"


# --------------------------------------------------------------------------- consolidated dialect


def test_consolidated_dialect(fixtures_dir: Path) -> None:
    doc = _load(fixtures_dir, CONSOLIDATED)
    assert doc.labels == ["Article 3", "Article 4"]
    assert not [s for s in doc.sections if s.kind == "recital"]
    article = _section(doc, "Article 3")
    assert article.heading == "Obligations of widget providers"
    assert article.path == ["Chapter II", "Section 1", "Article 3"]
    assert _texts(article) == [
        "1. Widget providers shall:\n(a) label each widget with its register number;\n"
        "(b) report serious faults to the register without delay.\n"
        "Point (b) of the first subparagraph shall not apply to widgets withdrawn from use.",
        "2. The Commission shall set up a register of widgets in accordance with Regulation "
        "(EU) 2029/12. The register shall be public.",
    ]
    assert _section(doc, "Article 4").heading == "Entry into force and application"
    assert doc.title.startswith("Regulation (EU) 2031/77 of the European Parliament")
    assert (doc.short_title, doc.ref_id, doc.adopted) == (
        "Municipal Widgets Act",
        "32031R0077",
        date(2031, 3, 3),
    )
    assert doc.meta["consolidated_date"] == "2031-03-14"
    assert doc.url == (
        "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02031R0077-20310314"
    )
    _assert_clean(doc)


# --------------------------------------------------------------------------- errors and dispatch


@pytest.mark.parametrize("name", [OJ, FORMEX, CONSOLIDATED])
def test_malformed_xml_raises_load_error(fixtures_dir: Path, name: str) -> None:
    data = _read(fixtures_dir, name)
    with pytest.raises(LoadError, match="malformed XML") as caught:
        LOADERS[name](data[: len(data) // 2], name, name)
    assert "\n" not in str(caught.value)


def test_xhtml_without_articles_raises_load_error() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        b'<body><div class="eli-container"><p class="oj-normal">Only a notice.</p></div>'
        b"</body></html>"
    )
    with pytest.raises(LoadError, match="no articles"):
        load_eurlex_xhtml(data, "notice.xhtml", "notice.xhtml")


def test_formex_without_act_or_articles_raises_load_error() -> None:
    with pytest.raises(LoadError, match="no Formex ACT"):
        load_formex(b"<ANNEX><CONTENTS><P>Text</P></CONTENTS></ANNEX>", "a.xml", "a.xml")
    empty_act = b"<ACT><BIB.INSTANCE/><ENACTING.TERMS/></ACT>"
    with pytest.raises(LoadError, match="no articles"):
        load_formex(empty_act, "b.xml", "b.xml")


@pytest.mark.parametrize(
    ("name", "fmt"), [(OJ, "eurlex-xhtml"), (FORMEX, "formex"), (CONSOLIDATED, "eurlex-xhtml")]
)
def test_registry_dispatches_to_these_loaders(fixtures_dir: Path, name: str, fmt: str) -> None:
    data = _read(fixtures_dir, name)
    assert detect_format(name, data) == fmt
    doc = load_document(data, f"eurlex/{name}")
    assert doc.format == fmt
    assert doc.section("Article 3") is not None


# --------------------------------------------------------------------------- the real corpus

AI_OJ = "eu-ai-act/AI_Act_Regulation_2024-1689_EN_OJ.xhtml"
# The Formex file is a COMBINED.FMX that holds the act and all 13 ANNEX documents, so the
# annex count is the same as in the XHTML.
AI_FMX = "eu-ai-act/AI_Act_Regulation_2024-1689_EN_formex.xml"
GDPR_OJ = "gdpr/GDPR_Regulation_2016-679_EN_OJ.xhtml"
GDPR_CONS = "gdpr/GDPR_Regulation_2016-679_EN_consolidated.xhtml"
GDPR_FMX = "gdpr/GDPR_Regulation_2016-679_EN_formex.xml"

_CACHE: dict[str, tuple[Document, float]] = {}


def _corpus(corpus_dir: Path, rel: str) -> tuple[Document, float]:
    """The loaded document and the seconds it took (each file is loaded once per session)."""
    if rel not in _CACHE:
        path = corpus_dir / rel
        if not path.is_file():
            pytest.skip(f"{rel} not in the corpus")
        data = path.read_bytes()
        started = time.perf_counter()
        doc = load_document(data, rel, path.name)
        _CACHE[rel] = (doc, time.perf_counter() - started)
    return _CACHE[rel]


def _doc(corpus_dir: Path, rel: str) -> Document:
    return _corpus(corpus_dir, rel)[0]


def _count(doc: Document, kind: str) -> int:
    return sum(1 for s in doc.sections if s.kind == kind)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("rel", "fmt", "recitals", "articles", "annexes"),
    [
        (AI_OJ, "eurlex-xhtml", 180, 113, 13),
        (AI_FMX, "formex", 180, 113, 13),
        (GDPR_OJ, "eurlex-xhtml", 173, 99, 0),
        (GDPR_FMX, "formex", 173, 99, 0),
        (GDPR_CONS, "eurlex-xhtml", 0, 99, 0),
    ],
)
def test_corpus_counts(
    corpus_dir: Path, rel: str, fmt: str, recitals: int, articles: int, annexes: int
) -> None:
    doc, seconds = _corpus(corpus_dir, rel)
    assert doc.format == fmt
    assert (_count(doc, "recital"), _count(doc, "article"), _count(doc, "annex")) == (
        recitals,
        articles,
        annexes,
    )
    article_labels = [s.label for s in doc.sections if s.kind == "article"]
    assert article_labels == [f"Article {n}" for n in range(1, articles + 1)]
    recital_labels = [s.label for s in doc.sections if s.kind == "recital"]
    assert recital_labels == [f"Recital {n}" for n in range(1, recitals + 1)]
    assert all(s.heading for s in doc.sections if s.kind in {"article", "annex"})
    _assert_clean(doc)
    assert seconds < 5.0


@pytest.mark.corpus
@pytest.mark.parametrize("rel", [AI_OJ, AI_FMX])
def test_corpus_ai_act(corpus_dir: Path, rel: str) -> None:
    doc = _doc(corpus_dir, rel)
    assert doc.title.startswith(
        "Regulation (EU) 2024/1689 of the European Parliament and of the Council of 13 June "
        "2024 laying down harmonised rules on artificial intelligence"
    )
    assert (doc.short_title, doc.abbreviation, doc.ref_id) == (
        "Artificial Intelligence Act",
        "2024/1689",
        "32024R1689",
    )
    assert (doc.doc_type, doc.adopted) == ("eu_regulation", date(2024, 6, 13))
    assert doc.url == "http://data.europa.eu/eli/reg/2024/1689/oj"

    article_5 = _section(doc, "Article 5")
    assert article_5.heading == "Prohibited AI practices"
    assert article_5.path == ["Chapter II", "Article 5"]
    assert [b.text[:3] for b in article_5.blocks] == [f"{n}. " for n in range(1, 9)]
    assert "\n(h) the use of ‘real-time’ remote biometric" in article_5.blocks[0].text
    assert "\n(iii) the localisation or identification" in article_5.blocks[0].text
    assert _section(doc, "Article 9").path == ["Chapter III", "Section 2", "Article 9"]
    assert "2 August 2026" in _section(doc, "Article 113").text
    assert len(_section(doc, "Article 3").blocks) == 69  # the lead-in and 68 definitions
    annex_3 = _section(doc, "Annex III")
    assert annex_3.heading == "High-risk AI systems referred to in Article 6(2)"
    assert annex_3.blocks[1].text.startswith("1. Biometrics")
    assert doc.meta["Chapter II"] == "PROHIBITED AI PRACTICES"


@pytest.mark.corpus
@pytest.mark.parametrize("rel", [GDPR_OJ, GDPR_FMX, GDPR_CONS])
def test_corpus_gdpr(corpus_dir: Path, rel: str) -> None:
    doc = _doc(corpus_dir, rel)
    assert doc.title.startswith(
        "Regulation (EU) 2016/679 of the European Parliament and of the Council of 27 April 2016"
    )
    assert (doc.short_title, doc.abbreviation, doc.ref_id) == (
        "General Data Protection Regulation",
        "2016/679",
        "32016R0679",
    )
    assert (doc.doc_type, doc.adopted, doc.jurisdiction) == (
        "eu_regulation",
        date(2016, 4, 27),
        "EU",
    )
    article_35 = _section(doc, "Article 35")
    assert article_35.heading == "Data protection impact assessment"
    assert article_35.path == ["Chapter IV", "Section 3", "Article 35"]
    assert len(article_35.blocks) == 11
    assert article_35.blocks[0].text.startswith("1. Where a type of processing")
    assert "\n(a) a systematic description" in article_35.blocks[6].text
    article_6 = _section(doc, "Article 6")
    assert article_6.blocks[0].text.endswith(
        "by public authorities in the performance of their tasks."
    )


@pytest.mark.corpus
@pytest.mark.parametrize(("xhtml", "formex"), [(AI_OJ, AI_FMX), (GDPR_OJ, GDPR_FMX)])
def test_corpus_xhtml_and_formex_agree(corpus_dir: Path, xhtml: str, formex: str) -> None:
    assert _outline(_doc(corpus_dir, xhtml)) == _outline(_doc(corpus_dir, formex))


@pytest.mark.corpus
def test_corpus_gdpr_consolidated_has_the_same_structure(corpus_dir: Path) -> None:
    oj, consolidated = _doc(corpus_dir, GDPR_OJ), _doc(corpus_dir, GDPR_CONS)
    articles = [s for s in oj.sections if s.kind == "article"]
    for article in articles:
        other = _section(consolidated, article.label)
        assert (other.heading, other.path) == (article.heading, article.path)
        assert len(other.blocks) == len(article.blocks), article.label
    # the corrigendum (►C1 ... ◄) is applied: "criteria" became "requirements"
    assert "on the basis of requirements approved" in _section(consolidated, "Article 43").text
    assert consolidated.meta["consolidated_date"] == "2016-05-04"
