"""The bilingual term list carries questions across languages and to the words sources use."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.resources import data_folder
from assistant.retrieval.glossary import Glossary


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(data_folder("knowledge") / "glossary.yaml")


def test_norwegian_words_are_carried_to_english(glossary: Glossary) -> None:
    carried = glossary.to_english("Må kommunen publisere DPIA-en?")
    assert "publish" in carried and "data protection impact assessment" in carried
    assert "employees" in glossary.to_english("IT vil gå gjennom de ansattes e-post")


def test_english_words_are_carried_to_norwegian(glossary: Glossary) -> None:
    carried = glossary.to_norwegian("Can an algorithm decide automatically?")
    assert "automatiserte avgjørelser" in carried


def test_an_english_question_gets_the_terms_english_sources_use(glossary: Glossary) -> None:
    synonyms = glossary.english_synonyms("Can an algorithm reject applications automatically?")
    assert "automated individual decision-making" in synonyms
    assert "solely on automated processing" in synonyms
    assert glossary.english_synonyms("Who pays for the coffee machine?") == []


def test_whole_words_only(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("terms:\n  - nb: [katt]\n    en: [cat]\n", encoding="utf-8")
    g = Glossary.load(path)
    assert g.to_english("Har du en katt?") == ["cat"]
    assert g.to_english("Kattelova") == []
    assert g.english_synonyms("the cat") == ["cat"]
    assert g.english_synonyms("category") == []


def test_a_term_needs_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("terms:\n  - nb: [katt]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs both"):
        Glossary.load(path)


def test_a_form_no_norwegian_source_uses_gets_the_forms_they_do(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "terms:\n"
        "  - nb: [dpia, personvernkonsekvensvurdering, vurdering av personvernkonsekvenser]\n"
        "    en: [dpia]\n"
        "  - nb: [innsyn, innsynskrav]\n"
        "    en: [access]\n",
        encoding="utf-8",
    )
    g = Glossary.load(path)
    known = {"vurdering", "personvernkonsekvenser", "innsyn", "innsynskrav"}
    # "dpia" is no word of the Norwegian sources: the forms they use are added, and a form
    # with a word they do not use either ("personvernkonsekvensvurdering") is not
    assert g.norwegian_for_unknown("Må vi lage en DPIA?", known) == [
        "vurdering av personvernkonsekvenser"
    ]
    # a form the sources use is left alone: BM25 matches it already
    assert g.norwegian_for_unknown("Kan vi kreve innsyn?", known) == []
    assert g.norwegian_for_unknown("Hva koster kaffen?", known) == []


def test_a_situation_told_in_lay_words_brings_its_legal_concept(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "situations:\n"
        "  - when: [wrong recipient, feil mottaker]\n"
        "    nb: [personvernbrudd]\n"
        "    en: [personal data breach]\n",
        encoding="utf-8",
    )
    g = Glossary.load(path)
    # up to two words may stand between a phrase's words, in order
    told = "We emailed the list to the wrong external recipient."
    assert g.concepts(told, "en") == ["personal data breach"]
    assert g.concepts(told, "no") == ["personvernbrudd"]
    assert g.concepts("Brevet gikk til feil mottaker", "no") == ["personvernbrudd"]
    assert g.concepts("the wrong one of three very old recipients", "en") == []
    assert g.concepts("the recipient was wrong", "en") == []  # order counts
    assert g.concepts("wrong recipients", "en") == []  # whole words
    # the shipped list parses, and its entries fire on the situations they describe
    shipped = Glossary.load(data_folder("knowledge") / "glossary.yaml")
    assert "inhabilitet" in shipped.concepts(
        "Saksbehandleren skrev innstillingen og sitter også i formannskapet.", "no"
    )
    assert shipped.concepts("Hva koster kaffen i kantina?", "no") == []


def test_a_situation_needs_its_phrases_and_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("situations:\n  - when: [feil mottaker]\n    nb: [brudd]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="situation 1 needs"):
        Glossary.load(path)
