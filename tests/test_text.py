"""Text analysis for the lexical index: stop words, and acronyms that spell one."""

from __future__ import annotations

from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.text import analyse
from assistant.store.base import StoredChunk


def test_stop_words_are_dropped() -> None:
    assert analyse("It is for us to decide", "en") == ["decid"]
    assert "kor" not in analyse("Kor lenge varer det?", "nn")


def test_an_acronym_that_spells_a_stop_word_is_kept_in_running_text() -> None:
    tokens = analyse("Our IT department wants to move e-mail to a US cloud provider", "en")
    assert "it" in tokens and "us" in tokens
    assert "kor" in analyse("Kva er KOR som eg ser nemnt i kommunelova?", "nn")
    # a word once in capitals keeps its other occurrences in that text too (one bag of words)
    assert analyse("US law. Tell us.", "en").count("us") == 2


def test_a_heading_in_capitals_keeps_no_stop_words() -> None:
    assert analyse("LOV OM KOMMUNER OG FYLKESKOMMUNER", "nb") == ["lov", "kommun", "fylkeskommun"]
    assert analyse("TITLE II: IT IS FOR US", "en") == ["titl", "ii"]


def test_an_acronym_finds_the_passage_that_spells_it_out() -> None:
    chunks = [
        StoredChunk(
            "a",
            "Det kommunale rapporteringsregisteret (KOR) gir oversikt over rapporteringspliktene.",
            {"language": "nb", "source_id": "koml.md", "header": "§ 16-2"},
        ),
        StoredChunk(
            "b",
            "Kor lenge skal kommunen vente før saka vert avgjord?",
            {"language": "nn", "source_id": "other.md", "header": "§ 1"},
        ),
        StoredChunk(
            "c",
            "Kommunestyret vel sjølv utval og fastset reglement for dei.",
            {"language": "nn", "source_id": "third.md", "header": "§ 2"},
        ),
    ]
    index = LexicalIndex(chunks)
    hits = index.search("Kva er KOR?", "no", 3)
    assert hits and index.ids[hits[0][0]] == "a"
    assert all(index.ids[i] != "b" for i, _ in hits)  # "kor" in lower case stays a stop word
