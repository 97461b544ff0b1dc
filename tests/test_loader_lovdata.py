"""Lovdata loaders: Markdown with YAML front matter and Lovdata's XML.

Fixture tests use small invented laws in tests/fixtures/lovdata; corpus tests parse every
Lovdata file in the shared corpus and skip when it is absent.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ingest.loaders import detect_format, load_document
from ingest.loaders.common import LoadError
from ingest.loaders.lovdata import (
    clean_heading,
    in_force_status,
    load_lovdata_markdown,
    load_lovdata_xml,
    norwegian_variant,
    paragraph_label,
    split_short_title,
    structure_heading,
)
from ingest.model import Document, Section

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lovdata"
HUNDEPARK_MD = "lov-2024-03-15-7.md"
SYKKEL_MD = "forskrift-2025-11-03-1234.md"
DRONE_MD = "lov-2031-05-20-40.md"
HUNDEPARK_XML = "nl-20240315-007.xml"
BYSYKKEL_XML = "nl-20201201-099.xml"


def _md(name: str) -> Document:
    return load_lovdata_markdown((FIXTURES / name).read_bytes(), f"test/{name}", name)


def _xml(name: str) -> Document:
    return load_lovdata_xml((FIXTURES / name).read_bytes(), f"test/{name}", name)


def _sec(doc: Document, label: str) -> Section:
    section = doc.section(label)
    assert section is not None, f"{label} missing from {doc.source_id}"
    return section


def _all_text(doc: Document) -> str:
    return "\n".join(s.text for s in doc.sections)


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "label", "rest"),
    [
        ("§ 28. Avslag", "§ 28", ". Avslag"),
        ("§ 3-5. Opningstider", "§ 3-5", ". Opningstider"),
        ("§ 11 a. Plasser", "§ 11 a", ". Plasser"),
        ("§ 12a. Lading", "§ 12a", ". Lading"),
        ("§ 8-12a. Krav", "§ 8-12a", ". Krav"),
        ("§ 27 a", "§ 27 a", ""),
        ("§15a", "§ 15a", ""),
        ("§ 3 av 5", "§ 3", " av 5"),
        ("§§ 12 til 14. (Opphevet)", "§§ 12 til 14", "(Opphevet)"),
    ],
)
def test_paragraph_label_normalises_like_lovdata(heading: str, label: str, rest: str) -> None:
    assert paragraph_label(heading) == (label, rest)


def test_paragraph_label_rejects_other_headings() -> None:
    assert paragraph_label("Kapittel 2. Veiledningsplikten etter forvaltningsloven § 11") is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Opplysningsplikt.", "Opplysningsplikt"),
        ("(lovens generelle virkeområde).", "lovens generelle virkeområde"),
        ("(Opphevet)", "Opphevet"),
        ("Kassasjon m.m.", "Kassasjon m.m."),
        ("Forskrift om avlevering mv.", "Forskrift om avlevering mv."),
        (". Lovens område. Definisjoner.", "Lovens område. Definisjoner"),
    ],
)
def test_clean_heading(raw: str, clean: str) -> None:
    assert clean_heading(raw) == clean


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Kapittel 9. Klage", ("Kapittel 9", "Klage", "chapter")),
        ("Kapittel 1 Lovens formål", ("Kapittel 1", "Lovens formål", "chapter")),
        ("KAPITTEL IV Behandlingsansvarlig", ("Kapittel IV", "Behandlingsansvarlig", "chapter")),
        ("Del II. Tilsyn", ("Del II", "Tilsyn", "part")),
        ("Første del. Generelle bestemmelser", ("Første del", "Generelle bestemmelser", "part")),
        ("Avsnitt 3 Vurdering", ("Avsnitt 3", "Vurdering", "chapter")),
        ("Vedlegg 1.International text", ("Vedlegg 1", "International text", "annex")),
        ("Kvalifikasjonskrav", ("", "Kvalifikasjonskrav", "chapter")),
        ("Delegering", ("", "Delegering", "chapter")),
    ],
)
def test_structure_heading(heading: str, expected: tuple[str, str, str]) -> None:
    assert structure_heading(heading) == expected


def test_structure_heading_names_an_embedded_eu_act() -> None:
    label, heading, kind = structure_heading(
        "EUROPAPARLAMENTS- OG RÅDSFORORDNING (EU) 2031/77 av 5. mai 2031 om droner"
    )
    assert (label, kind) == ("Forordning (EU) 2031/77", "preamble")
    assert heading.startswith("EUROPAPARLAMENTS-")


@pytest.mark.parametrize(
    ("korttittel", "short", "abbreviation"),
    [
        ("Offentleglova – offl", "Offentleglova", "offl"),
        ("Likestillings- og diskrimineringsloven – ldl", "Likestillings- og diskrimineringsloven",
         "ldl"),
        ("Anskaffelsesforskriften - FOA", "Anskaffelsesforskriften", "FOA"),
        ("Kommuneloven", "Kommuneloven", None),
        ("Forskrift om IT-standarder i forvaltningen", "Forskrift om IT-standarder i forvaltningen",
         None),
        ("", None, None),
    ],
)  # fmt: skip
def test_split_short_title(korttittel: str, short: str | None, abbreviation: str | None) -> None:
    assert split_short_title(korttittel) == (short, abbreviation)


@pytest.mark.parametrize(
    ("text", "status", "first"),
    [
        ("Kongen bestemmer", "not_in_force", None),
        ("Kongen fastset", "not_in_force", None),
        ("Kongen fastsetter", "not_in_force", None),
        ("2030-01-01", "not_in_force", date(2030, 1, 1)),
        ("2009-01-01", "in_force", date(2009, 1, 1)),
        ("2019-11-01, 2020-01-01", "in_force", date(2019, 11, 1)),
        # A passed date with the rest left to the King: the act is (partly) in force.
        ("2026-01-01, Kongen fastset", "in_force", date(2026, 1, 1)),
        ("", "unknown", None),
    ],
)
def test_in_force_status(text: str, status: str, first: date | None) -> None:
    assert in_force_status(text, today=date(2026, 6, 1)) == (status, first)


def test_norwegian_variant_reads_distinctive_words_then_the_name() -> None:
    nynorsk = "Lova gjeld ikkje for dei som ikkje bur i kommunen. " * 5
    bokmal = "Loven gjelder ikke for de som ikke bor i kommunen. " * 5
    assert norwegian_variant("", "", nynorsk) == "nn"
    assert norwegian_variant("", "", bokmal) == "nb"
    assert norwegian_variant("Lov om arkiv (arkivlova)", "Arkivlova", "Kommunen skal") == "nn"
    assert norwegian_variant("Forskrift om IT-standarder", "", "for og av") == "nb"


# --- Markdown fixtures -----------------------------------------------------------------------


def test_markdown_sections_labels_and_chapter_paths() -> None:
    doc = _md(HUNDEPARK_MD)
    assert doc.labels == [
        "§ 1-1",
        "§ 1-2",
        "Kapittel 3",
        "§ 3-5",
        "§ 3-5 a",
        "§ 3-6",
        "§ 4-1",
    ]
    section = doc.section("§ 3-5")
    assert section is not None
    assert (section.heading, section.kind) == ("Opningstider", "section")
    assert section.path == ["Kapittel 3", "§ 3-5"]
    assert section.heading_path == "Kapittel 3 > § 3-5"
    assert [b.text for b in section.blocks] == [
        "Kommunen fastset opningstidene for kvar hundepark.",
        "Opningstidene skal kunngjerast ved inngangen til parken og på nettsidene til kommunen.",
    ]
    assert _sec(doc, "§ 3-6").heading == "Vedlikehald m.m."


def test_markdown_chapter_gets_a_section_only_for_its_own_text() -> None:
    doc = _md(HUNDEPARK_MD)
    chapter = doc.section("Kapittel 3")
    assert chapter is not None
    assert (chapter.kind, chapter.heading, chapter.path) == (
        "chapter",
        "Drift av hundeparkar",
        ["Kapittel 3"],
    )
    assert chapter.text.startswith("Føresegnene i dette kapitlet")
    assert doc.section("Kapittel 1") is None  # no text before its first §


def test_markdown_list_items_stay_with_their_ledd() -> None:
    section = _md(HUNDEPARK_MD).section("§ 1-2")
    assert section is not None
    assert len(section.blocks) == 2
    assert section.blocks[1].text == (
        "Lova gjeld ikkje for\n- private hundeparkar,\n"
        "- område der hundar berre er tillatne i band."
    )


def test_markdown_amendment_notes_leave_the_text_but_are_kept_in_meta() -> None:
    doc = _md(HUNDEPARK_MD)
    assert "Endra med" not in _all_text(doc)
    assert "Tilføydd med" not in _all_text(doc)
    notes = doc.meta["amendment_notes"].splitlines()
    assert notes == [
        "§ 1-2: Endra med lov 10 jan 2025 nr. 2 (ikr. 1 feb 2025).",
        "§ 3-5 a: Tilføydd med lov 10 jan 2025 nr. 2 (ikr. 1 feb 2025).",
    ]


def test_markdown_metadata() -> None:
    doc = _md(HUNDEPARK_MD)
    assert doc.title == "Lov om kommunale hundeparkar (hundeparklova)"
    assert (doc.short_title, doc.abbreviation) == ("Hundeparklova", "hpl")
    assert doc.ref_id == "lov/2024-03-15-7"
    assert (doc.doc_type, doc.language, doc.jurisdiction) == ("law", "nn", "NO")
    assert doc.adopted == date(2024, 3, 15)
    assert doc.in_force_from == date(2024, 7, 1)
    assert doc.last_amended == date(2025, 2, 1)
    assert doc.status == "in_force"
    assert doc.url == "https://lovdata.no/dokument/NL/lov/2024-03-15-7"
    assert doc.format == "lovdata-md"
    assert doc.source_id == f"test/{HUNDEPARK_MD}"
    assert doc.meta["eli"] == "/eli/lov/2024/03/15/7"


def test_markdown_regulation_not_in_force_when_the_king_decides() -> None:
    doc = _md(SYKKEL_MD)
    assert (doc.doc_type, doc.status, doc.in_force_from) == ("regulation", "not_in_force", None)
    assert doc.url == "https://lovdata.no/dokument/SF/forskrift/2025-11-03-1234"
    assert (doc.short_title, doc.abbreviation) == ("Sykkelparkeringsforskriften", None)
    assert doc.last_amended is None
    assert doc.language == "nb"


def test_markdown_letter_sections_parts_and_repealed_sections() -> None:
    doc = _md(SYKKEL_MD)
    # each letter spaced as its heading spaces it: "§ 11 a." and "§ 12a."
    assert doc.labels == ["§ 1", "§ 11", "§ 11 a", "§ 12a", "§ 13", "§ 14"]
    eleven_a = doc.section("§ 11 a")
    assert eleven_a is not None
    assert eleven_a.path == ["Del I", "Kapittel 1", "§ 11 a"]
    assert eleven_a.heading == "Plasser for lastesykler"
    repealed = doc.section("§ 13")
    assert repealed is not None
    assert (repealed.heading, repealed.blocks) == ("Opphevet", [])
    last = doc.section("§ 14")
    assert last is not None
    assert last.path == ["Del II", "Kapittel 2", "§ 14"]
    assert last.heading == "Tilsyn"
    # A footnote is not an amendment note: it stays, without its emphasis.
    assert last.blocks[-1].text == "1 Se også plan- og bygningsloven kapittel 28."
    eleven = doc.section("§ 11")
    assert eleven is not None
    assert eleven.blocks[1].text.splitlines()[1:] == [
        "- bygget ikke har egnet uteareal, eller",
        "- det finnes offentlig sykkelparkering innenfor 100 meter.",
    ]


def test_markdown_future_in_force_date_is_not_in_force() -> None:
    doc = _md(DRONE_MD)
    assert doc.status == "not_in_force"
    assert doc.in_force_from == date(2099, 1, 1)
    assert doc.abbreviation == "dll"


def test_markdown_embedded_eu_act_gives_articles_with_their_own_chapters() -> None:
    doc = _md(DRONE_MD)
    articles = [s for s in doc.sections if s.kind == "article"]
    assert [s.label for s in articles] == [f"Artikkel {i}" for i in range(1, 6)]
    third = doc.section("Artikkel 3")
    assert third is not None
    assert third.path == ["Forordning (EU) 2031/77", "Kapittel II", "Avsnitt 1", "Artikkel 3"]
    assert third.heading == "Plikt til loggføring"
    first = doc.section("Artikkel 1")
    assert first is not None
    assert first.path == ["Forordning (EU) 2031/77", "Kapittel I", "Artikkel 1"]
    assert [b.text[:2] for b in first.blocks] == ["1.", "2."]
    preamble = doc.section("Forordning (EU) 2031/77")
    assert preamble is not None and preamble.kind == "preamble"
    assert _sec(doc, "§ 1").path == ["Kapittel 1", "§ 1"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"# Lov om noe\n\n#### \xc2\xa7 1. Formal\n\nTekst.\n", "no YAML front matter"),
        (b'---\ntittel: "Lov"\n\n# Lov\n', "not closed"),
        (
            b'---\ntittel: "Lov om\nrefid: [lov\n---\n#### \xc2\xa7 1. A\n\nTekst.\n',
            "malformed YAML",
        ),
        (b"---\n- tittel\n- refid\n---\n#### \xc2\xa7 1. A\n\nTekst.\n", "not a mapping"),
        (
            b'---\ntittel: "Lov om ingenting"\n---\n\n# Lov\n\nBare tekst uten paragrafer.\n',
            "no sections",
        ),
    ],
)
def test_markdown_malformed_input_raises_load_error(data: bytes, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        load_lovdata_markdown(data, "test/bad.md", "bad.md")


# --- XML fixtures ----------------------------------------------------------------------------


def test_xml_promulgated_law_sections_lists_and_status() -> None:
    doc = _xml(HUNDEPARK_XML)
    assert doc.labels == ["§ 1-1", "§ 1-2", "Kapittel 3", "§ 3-5", "§ 3-5 a", "§ 4-1"]
    verkeomrade = doc.section("§ 1-2")
    assert verkeomrade is not None
    assert verkeomrade.path == ["Kapittel 1", "§ 1-2"]
    assert verkeomrade.heading == "Verkeområde"
    assert [b.text for b in verkeomrade.blocks] == [
        "Lova gjeld for hundeparkar som kommunen eig eller driv sjølv.",
        "Lova gjeld ikkje for\n- a. private hundeparkar\n"
        "- b. område der hundar berre er tillatne i band.\n"
        "Kommunen kan likevel gi reglar om slike område i forskrift.",
    ]
    assert _sec(doc, "Kapittel 3").kind == "chapter"
    assert _sec(doc, "§ 3-5 a").path == ["Kapittel 3", "§ 3-5 a"]
    assert (doc.status, doc.in_force_from) == ("not_in_force", None)  # "Kongen fastset"
    assert (doc.short_title, doc.abbreviation) == ("Hundeparklova", "hpl")
    assert doc.language == "nn"  # the file says lang="no"; the words say nynorsk
    assert doc.url == "https://lovdata.no/dokument/LTI/lov/2024-03-15-7"
    assert (doc.ref_id, doc.adopted) == ("lov/2024-03-15-7", date(2024, 3, 15))
    assert doc.format == "lovdata-xml"


def test_xml_amendments_to_other_laws_stay_text_of_their_section() -> None:
    doc = _xml(HUNDEPARK_XML)
    assert "§ 2" not in doc.labels  # the § of the amended law is not a section of this law
    final = doc.section("§ 4-1")
    assert final is not None
    assert "§ 2. Hundeparkar" in final.text
    assert "For hundeparkar gjeld hundeparklova." in final.text


def test_xml_consolidated_law_metadata_and_nested_paths() -> None:
    doc = _xml(BYSYKKEL_XML)
    assert doc.labels == ["§ 1", "§ 11", "§ 11 a", "§ 12", "§ 13"]
    assert _sec(doc, "§ 11 a").path == ["Del I", "Kapittel 1", "§ 11 a"]
    assert _sec(doc, "§ 13").path == ["Del II", "Kapittel 2", "§ 13"]
    assert (doc.short_title, doc.abbreviation) == ("Bysykkelloven", "bsl")
    assert (doc.status, doc.in_force_from) == ("in_force", date(2021, 1, 1))
    assert doc.last_amended == date(2024, 7, 1)
    assert (doc.language, doc.doc_type) == ("nb", "law")
    assert doc.url == "https://lovdata.no/dokument/NL/lov/2020-12-01-99"


def test_xml_ledd_lists_tables_entities_and_notes() -> None:
    doc = _xml(BYSYKKEL_XML)
    formal = doc.section("§ 1")
    assert formal is not None
    assert formal.text.startswith("Loven skal gjøre det enkelt for innbyggere")  # &nbsp;
    prices = doc.section("§ 11")
    assert prices is not None
    assert [b.text for b in prices.blocks][1:] == [
        "Følgende grupper kan få redusert pris:\n- a. studenter\n- b. pensjonister.",
        "Periode | Pris\nDag | 50 kroner",
    ]
    repealed = doc.section("§ 12")
    assert repealed is not None and (repealed.heading, repealed.blocks) == ("Opphevet", [])
    assert "Endret ved" not in _all_text(doc)
    assert "Se også kommuneloven" not in _all_text(doc)  # footnotes are not law text
    assert doc.meta["amendment_notes"].splitlines() == [
        "§ 1: Endret ved lov 21 juni 2024 nr. 50 (i kraft 1 juli 2024).",
        "§ 12: Opphevet ved lov 21 juni 2024 nr. 50.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<html><body><main><article class="legalArticle">', "malformed Lovdata XML"),
        (b"<html><body><main><p>Ingen paragrafer</p></main></body></html>", "no sections"),
        (b"", "malformed Lovdata XML"),
    ],
)
def test_xml_malformed_input_raises_load_error(data: bytes, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        load_lovdata_xml(data, "test/bad.xml", "bad.xml")


def test_xml_does_not_resolve_external_entities() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<html><body><main><article class="legalArticle" data-name="\xc2\xa71">'
        b'<h3 class="legalArticleHeader">\xc2\xa7 1. A</h3><article class="legalP">&x;</article>'
        b"</article></main></body></html>"
    )
    try:
        doc = load_lovdata_xml(data, "test/x.xml", "x.xml")
    except LoadError:
        return
    assert "root:" not in _all_text(doc)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (HUNDEPARK_MD, "lovdata-md"),
        (SYKKEL_MD, "lovdata-md"),
        (DRONE_MD, "lovdata-md"),
        (HUNDEPARK_XML, "lovdata-xml"),
        (BYSYKKEL_XML, "lovdata-xml"),
    ],
)
def test_registry_routes_fixtures_to_the_lovdata_loaders(name: str, fmt: str) -> None:
    data = (FIXTURES / name).read_bytes()
    assert detect_format(name, data) == fmt
    doc = load_document(data, f"test/{name}", name)
    assert doc.format == fmt
    assert doc.labels


# --- the shared corpus -----------------------------------------------------------------------

_RAW_PARAGRAPH_HEADING = re.compile(r"^#{1,6}[ \t]+§", re.M)
_RAW_LABEL = re.compile(
    r"^#{1,6}[ \t]+§[ \t]*(\d+)(?:[ \t]*-[ \t]*(\d+))?(?:([ \t]*)([a-z])(?![a-zæøå]))?", re.M
)
_XML_DATA_NAME = re.compile(r"§(\d+)(?:-(\d+))?([a-z])?$")
_RAW_XML_ARTICLE = re.compile(r'<article class="legalArticle"[^>]*\bdata-name="(§[^"]*)"')


def _expected_labels(numbers: list[tuple[str, str, str, str]]) -> Counter[str]:
    """Labels as the headings number them: a letter spaced only when the heading spaces it."""
    labels = Counter[str]()
    for num, sub, space, letter in numbers:
        spaced = " " if space else ""
        labels["§ " + num + (f"-{sub}" if sub else "") + (spaced + letter if letter else "")] += 1
    return labels


def _section_labels(doc: Document) -> Counter[str]:
    return Counter(s.label for s in doc.sections if s.kind == "section" and s.label.startswith("§"))


def _corpus_md(corpus_dir: Path, relative: str) -> Document:
    path = corpus_dir / "lovdata-markdown" / relative
    return load_lovdata_markdown(path.read_bytes(), f"corpus/{relative}", path.name)


@pytest.mark.corpus
def test_corpus_every_markdown_paragraph_heading_becomes_a_section(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "lovdata-markdown").rglob("*.md"))
    assert files
    mismatches: dict[str, tuple[int, int]] = {}
    for path in files:
        raw = path.read_text(encoding="utf-8")
        doc = load_lovdata_markdown(path.read_bytes(), f"corpus/{path.name}", path.name)
        produced = _section_labels(doc)
        headings = len(_RAW_PARAGRAPH_HEADING.findall(raw))
        expected = _expected_labels(_RAW_LABEL.findall(raw))
        if produced != expected or sum(produced.values()) != headings:
            mismatches[path.name] = (headings, sum(produced.values()))
    assert mismatches == {}


@pytest.mark.corpus
def test_corpus_every_xml_legal_article_becomes_a_section(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "lovdata-xml").glob("*.xml"))
    assert len(files) >= 2
    for path in files:
        raw = path.read_text(encoding="utf-8")
        names = _RAW_XML_ARTICLE.findall(raw)
        matches = [_XML_DATA_NAME.match(n) for n in names]
        numbers = [(m[1], m[2] or "", " ", m[3] or "") for m in matches if m]
        assert len(numbers) == len(names) == raw.count('class="legalArticle"'), path.name
        doc = load_lovdata_xml(path.read_bytes(), f"corpus/{path.name}", path.name)
        assert _section_labels(doc) == _expected_labels(numbers), path.name
        assert all(s.path[0].startswith("Kapittel") for s in doc.sections if s.kind == "section")


@pytest.mark.corpus
def test_corpus_personopplysningsloven_carries_the_gdpr_articles(corpus_dir: Path) -> None:
    doc = _corpus_md(corpus_dir, "lover/lov-2018-06-15-38.md")
    articles = [s for s in doc.sections if s.kind == "article"]
    assert [s.label for s in articles] == [f"Artikkel {i}" for i in range(1, 100)]
    dpia = doc.section("Artikkel 35")
    assert dpia is not None
    assert dpia.path[-1] == "Artikkel 35"
    assert "Kapittel IV" in dpia.path
    assert dpia.path == ["Forordning (EU) 2016/679", "Kapittel IV", "Avsnitt 3", "Artikkel 35"]
    assert dpia.heading == "Vurdering av personvernkonsekvenser"
    assert len(dpia.blocks) > 3
    assert _sec(doc, "Artikkel 5").path[-2] == "Kapittel II"
    assert doc.language == "nb"
    assert _sec(doc, "§ 1").path == ["Kapittel 1", "§ 1"]


@pytest.mark.corpus
def test_corpus_offentleglova(corpus_dir: Path) -> None:
    doc = _corpus_md(corpus_dir, "lover/lov-2006-05-19-16.md")
    assert (doc.short_title, doc.abbreviation, doc.language) == ("Offentleglova", "offl", "nn")
    assert doc.ref_id == "lov/2006-05-19-16"
    assert doc.url == "https://lovdata.no/dokument/NL/lov/2006-05-19-16"
    assert doc.status == "in_force"
    for label in ("§ 28", "§ 31"):
        section = doc.section(label)
        assert section is not None, label
        assert section.path[0].startswith("Kapittel")
        assert section.path[-1] == label
        assert section.heading and section.blocks
    assert "Endra med" not in _all_text(doc) and "Endret ved" not in _all_text(doc)


@pytest.mark.corpus
def test_corpus_forvaltningsloven_versions(corpus_dir: Path) -> None:
    new = _corpus_md(corpus_dir, "lover/lov-2025-06-20-81.md")
    assert (new.status, new.in_force_from) == ("not_in_force", None)
    old_path = corpus_dir / "lovdata-markdown" / "lover" / "lov-1967-02-10.md"
    old = _corpus_md(corpus_dir, "lover/lov-1967-02-10.md")
    assert old.status == "in_force"
    assert old.adopted == date(1967, 2, 10)
    if "– fvl" in old_path.read_text(encoding="utf-8").split("---")[1]:
        assert old.abbreviation == "fvl"
    repealed = old.section("§ 22")
    assert repealed is not None and repealed.heading == "Opphevet"


@pytest.mark.corpus
def test_corpus_xml_metadata(corpus_dir: Path) -> None:
    fvl = corpus_dir / "lovdata-xml" / "nl-20250620-081.xml"
    doc = load_lovdata_xml(fvl.read_bytes(), "corpus/fvl", fvl.name)
    assert doc.title == "Lov om saksbehandlingen i offentlig forvaltning (forvaltningsloven)"
    assert (doc.status, doc.language, doc.ref_id) == ("not_in_force", "nb", "lov/2025-06-20-81")
    assert _sec(doc, "§ 26").path == ["Kapittel 4", "§ 26"]
    arkiv = corpus_dir / "lovdata-xml" / "nl-20250620-096.xml"
    doc = load_lovdata_xml(arkiv.read_bytes(), "corpus/arkivlova", arkiv.name)
    assert (doc.short_title, doc.language, doc.status) == ("Arkivlova", "nn", "not_in_force")


@pytest.mark.corpus
def test_corpus_all_lovdata_files_load_through_the_registry(corpus_dir: Path) -> None:
    paths = sorted((corpus_dir / "lovdata-markdown").rglob("*.md"))
    paths += sorted((corpus_dir / "lovdata-xml").glob("*.xml"))
    for path in paths:
        doc = load_document(path.read_bytes(), f"corpus/{path.name}", path.name)
        assert doc.format in {"lovdata-md", "lovdata-xml"}, path.name
        assert doc.status in {"in_force", "not_in_force"}, path.name
        assert doc.language in {"nb", "nn"}, path.name
        assert doc.url and doc.ref_id and doc.adopted, path.name
