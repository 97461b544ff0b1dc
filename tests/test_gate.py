"""The verification gate on its own: verbatim quotes, existing citations, sentence streaming."""

from __future__ import annotations

from assistant.answer.generative import check_sentence, sentences_from
from assistant.answer.verify import normalise, quote_in
from assistant.records import Passage

TEXT = (
    "Avslag på innsynskrav skal vere skriftleg og grunngitt. "
    "Grunngivinga skal vise til den føresegna som gir heimel for avslaget."
)


def _p(text: str = TEXT, section: str = "§ 31") -> Passage:
    return Passage(
        chunk_id="c1", source_id="offl.md", title="Offentleglova", section=section, text=text
    )


def test_quote_in_tolerates_whitespace_quotes_and_dashes_only() -> None:
    assert quote_in("Avslag på innsynskrav skal vere\n  skriftleg", TEXT)
    assert quote_in("«den føresegna som gir heimel»", TEXT)
    assert quote_in("a – b – c is here", "text: a - b - c is here")
    assert not quote_in("Avslag på innsynskrav skal være skriftlig", TEXT)  # bokmål ≠ source
    assert not quote_in("skal", TEXT)  # too short to count as a quote
    assert normalise("«x»  “y”") == '"x" "y"'


def test_sentence_with_verbatim_quote_and_valid_number_is_kept() -> None:
    checked = check_sentence(
        "Avslaget må vere skriftleg: «Avslag på innsynskrav skal vere skriftleg» [1]", [_p()]
    )
    assert checked.kept
    (c,) = checked.citations
    assert c.n == 1 and c.verified and c.section == "§ 31" and c.source_id == "offl.md"


def test_invented_quote_is_removed() -> None:
    checked = check_sentence("Avslag kan gis munnleg: «Avslag kan gis munnleg» [1]", [_p()])
    assert not checked.kept and "not found" in checked.reason


def test_citation_of_a_source_that_does_not_exist_is_removed() -> None:
    checked = check_sentence(
        "Avslaget må vere skriftleg: «Avslag på innsynskrav skal vere skriftleg» [4]", [_p()]
    )
    assert not checked.kept and "does not exist" in checked.reason


def test_claim_without_quote_or_citation_is_removed() -> None:
    assert check_sentence("Avslag skal alltid vere skriftlege [1]", [_p()]).reason == "no quote"
    assert check_sentence("«Avslag på innsynskrav skal vere skriftleg»", [_p()]).reason == (
        "no citation"
    )


def test_quote_must_be_in_a_cited_source_not_just_any() -> None:
    other = _p("Kommunen skal føre journal over saker.", "§ 10")
    checked = check_sentence("Journal: «Kommunen skal føre journal over saker» [1]", [_p(), other])
    assert not checked.kept
    assert check_sentence(
        "Journal: «Kommunen skal føre journal over saker» [2]", [_p(), other]
    ).kept


def test_sentences_from_a_token_stream() -> None:
    pieces = ["Første «a b c d» [1", "]. Andre", " setning «e f g h» [2] Tredje uten merke"]
    assert list(sentences_from(iter(pieces))) == [
        "Første «a b c d» [1]",
        "Andre setning «e f g h» [2]",
        "Tredje uten merke",
    ]
