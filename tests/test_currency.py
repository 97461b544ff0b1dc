"""Which version applies on a date: parsing what the sources say, the validity of documents,
sections and EU articles on a date, ranking, and the warnings an answer carries.

The fixtures in tests/fixtures/currency are our own: two versions each of two made-up laws in
Lovdata's Markdown format (the new badeplasslova is adopted but waits for the King; the new
leikeplasslova is in force from 1 January 2026 except its § 4) and two circulars, the newer
replacing the older by its front matter.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.answer.texts import format_date
from assistant.retrieval import Filters
from assistant.retrieval.currency import (
    Currency,
    Span,
    act_ref,
    commencements,
    load_eu_dates,
    repealed_acts,
)
from assistant.settings import Settings
from ingest.chunking import ChunkParams, chunk_document
from ingest.loaders import load_document
from ingest.pull import load_catalogue
from ingest.service import open_ingestor

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "currency"
KNOWLEDGE = ROOT / "knowledge"
NATIONAL = frozenset({""})

OLD_BAD = "lov-2010-01-08-2.md"
NEW_BAD = "lov-2030-06-14-55.md"
OLD_LEIK = "lov-2012-03-02-9.md"
NEW_LEIK = "lov-2025-09-12-70.md"
OLD_CIRC = "rundskriv-badevatn-2024.md"
NEW_CIRC = "rundskriv-badevatn-2026.md"


# -- what the sources say ----------------------------------------------------------------------


def test_repeal_sentences_name_the_repealed_acts() -> None:
    assert repealed_acts(
        "(2) Fra den tiden loven trer i kraft, oppheves lov 10. februar 1967 om "
        "behandlingsmåten i forvaltningssaker."
    ) == ["lov/1967-02-10"]
    assert repealed_acts(
        "Frå den tida lova tek til å gjelde, blir lov 4. desember 1992 nr. 126 om arkiv "
        "oppheva. Forskrifter gitt med heimel i lov 4. desember 1992 nr. 126 om arkiv gjeld òg."
    ) == ["lov/1992-12-04-126"]
    assert repealed_acts("Fra samme tidspunkt oppheves forskrift 7. april 2006 nr. 402.") == [
        "forskrift/2006-04-07-402"
    ]
    # a law cited without a repeal is not repealed
    assert repealed_acts("Forskrifter gitt med heimel i lov 4. desember 1992 nr. 126 gjeld.") == []


def test_act_citation_to_ref_id() -> None:
    from assistant.retrieval.currency import _ACT

    m = _ACT.search("lov 1 okt. 2025 nr. 12")
    assert m is not None and act_ref(m) == "lov/2025-10-01-12"


def test_commencement_notes_give_sections_and_dates() -> None:
    notes = commencements(
        "1 Frå 1. januar 2026 for §§ 1 til 10 og §§ 12 til 25 iflg. res. 12 des 2025 nr. 2510 ."
    )
    assert notes == [(date(2026, 1, 1), [Span(None, 1, 10), Span(None, 12, 25)])]
    spans = notes[0][1]
    assert any(s.covers("§ 10") for s in spans) and any(s.covers("§ 5 a") for s in spans)
    assert not any(s.covers("§ 11") for s in spans)
    chapter = commencements("Fra 1 juli 2024 for §§ 3-1 til 3-4 iflg. res.")
    assert chapter[0][1][0].covers("§ 3-2") and not chapter[0][1][0].covers("§ 3-5")


def test_eu_application_dates_follow_article_113() -> None:
    (ai_act, gdpr) = load_eu_dates(KNOWLEDGE / "eu-application-dates.yaml")
    assert ai_act.ref_id == "32024R1689" and gdpr.number == "2016/679"
    assert ai_act.article_date(4) == date(2025, 2, 2)  # chapter I
    assert ai_act.article_date(5) == date(2025, 2, 2)  # chapter II: the prohibitions
    assert ai_act.article_date(30) == date(2025, 8, 2)  # chapter III section 4
    assert ai_act.article_date(53) == date(2025, 8, 2)  # chapter V: general-purpose models
    assert ai_act.article_date(78) == date(2025, 8, 2)
    assert ai_act.article_date(101) == date(2026, 8, 2)  # chapter XII, except Art. 101
    assert ai_act.article_date(50) == date(2026, 8, 2)  # the general date
    assert ai_act.parts[6] == [("6(1)", date(2027, 8, 2))]


def test_catalogue_dates_and_replacements_load() -> None:
    by_id = {e.id: e for e in load_catalogue(KNOWLEDGE / "sources.yaml")}
    assert by_id["arkivlova"].replaces == "arkivlova-1992"
    assert by_id["arkivlova-1992"].repealed_from == "2026-01-01"
    assert by_id["forvaltningsloven-2025"].replaces == "forvaltningsloven"


# -- validity on a date ------------------------------------------------------------------------


def _currency(*names: str) -> Currency:
    metas, texts = [], []
    for name in names:
        doc = load_document((FIXTURES / name).read_bytes(), name, name)
        for chunk in chunk_document(doc, ChunkParams(max_chars=1200, overlap_chars=150)):
            metas.append(chunk.metadata())
            texts.append(chunk.text)
    return Currency(metas, texts, load_eu_dates(KNOWLEDGE / "eu-application-dates.yaml"))


def key(name: str) -> tuple[str, str]:
    return ("", name)


def test_a_law_waiting_for_the_king_and_the_one_it_replaces() -> None:
    c = _currency(OLD_BAD, NEW_BAD)
    for day in (date(2020, 1, 1), date(2040, 1, 1)):
        new = c.doc_validity(key(NEW_BAD), day, NATIONAL)
        assert new.state == "not_in_force" and new.pending and new.applicable == key(OLD_BAD)
        assert c.doc_validity(key(OLD_BAD), day, NATIONAL).state == "in_force"
    assert c.version_label(key(OLD_BAD), NATIONAL) == "2010"
    assert c.version_label(key(NEW_BAD), NATIONAL) == "2030"


def test_a_dated_replacement_and_a_section_left_for_later() -> None:
    c = _currency(OLD_LEIK, NEW_LEIK)
    before, after = date(2025, 6, 1), date(2026, 3, 1)
    new_before = c.doc_validity(key(NEW_LEIK), before, NATIONAL)
    assert new_before.state == "not_in_force" and new_before.since == date(2026, 1, 1)
    assert new_before.applicable == key(OLD_LEIK)
    assert c.doc_validity(key(OLD_LEIK), before, NATIONAL).state == "in_force"
    old_after = c.doc_validity(key(OLD_LEIK), after, NATIONAL)
    assert (old_after.state, old_after.since) == ("repealed", date(2026, 1, 1))
    assert old_after.applicable == key(NEW_LEIK)
    assert c.section_validity(key(NEW_LEIK), "§ 2", after, NATIONAL).state == "in_force"
    waiting = c.section_validity(key(NEW_LEIK), "§ 4", after, NATIONAL)
    assert (waiting.state, waiting.scope, waiting.pending) == ("not_in_force", "section", True)


def test_front_matter_replacement_of_a_circular() -> None:
    doc = load_document((FIXTURES / NEW_CIRC).read_bytes(), NEW_CIRC, NEW_CIRC)
    meta = chunk_document(doc, ChunkParams())[0].metadata()
    assert meta["replaces"] == OLD_CIRC and meta["in_force_from"] == "2026-04-01"
    c = _currency(OLD_CIRC, NEW_CIRC)
    assert c.doc_validity(key(OLD_CIRC), date(2025, 1, 1), NATIONAL).state == "in_force"
    replaced = c.doc_validity(key(OLD_CIRC), date(2026, 5, 1), NATIONAL)
    assert replaced.state == "repealed" and replaced.applicable == key(NEW_CIRC)
    assert c.doc_validity(key(NEW_CIRC), date(2025, 1, 1), NATIONAL).state == "not_in_force"


def test_relations_count_only_between_documents_a_tenant_sees() -> None:
    metas, texts = [], []
    for name, tenant in ((OLD_CIRC, ""), (NEW_CIRC, "hamar")):
        doc = load_document((FIXTURES / name).read_bytes(), name, name)
        for chunk in chunk_document(doc, ChunkParams(), tenant):
            metas.append(chunk.metadata())
            texts.append(chunk.text)
    c = Currency(metas, texts)
    day = date(2026, 5, 1)
    assert c.doc_validity(key(OLD_CIRC), day, NATIONAL).state == "in_force"
    assert c.doc_validity(key(OLD_CIRC), day, frozenset({"", "stange"})).state == "in_force"
    assert c.doc_validity(key(OLD_CIRC), day, frozenset({"", "hamar"})).state == "repealed"


def test_dates_in_answer_language() -> None:
    assert format_date(date(2026, 1, 1), "nb") == "1. januar 2026"
    assert format_date(date(2025, 8, 2), "en") == "2 August 2025"


# -- through the Assistant ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    from assistant.embeddings import make_embedder
    from assistant.store import open_store

    root = tmp_path_factory.mktemp("currency")
    corpus = root / "corpus"
    shutil.copytree(FIXTURES, corpus)
    # which version applies is tested here, through citations: the answerability scorer,
    # learnt on the eval corpus, may refuse a question on these tiny fixtures
    # (tests/test_answerability.py tests it)
    settings = Settings(
        data_dir=root / "data",
        chroma={"collection": "currency-test"},
        answer={"answerability": "off"},
    )
    with open_ingestor(settings) as ingestor:
        report = ingestor.run([corpus])
    assert not report.failed, report.failed
    store = open_store(settings)
    try:
        yield Assistant(settings, store, make_embedder(settings.embedder.backend))
    finally:
        store.close()


QUESTION = "Kor lenge er badevakta sitt livredningskurs gyldig, og når må kommunen ha badevakt?"


def _cited(answer: object) -> set[str]:
    return {c.source_id for c in answer.citations}  # type: ignore[attr-defined]


def test_what_is_in_force_ranks_first_and_both_versions_stay(assistant: Assistant) -> None:
    ranked = assistant.retriever.retrieve(QUESTION, Filters(as_of=date(2027, 1, 1))).passages
    sources = [p.source_id for p in ranked]
    assert OLD_BAD in sources and NEW_BAD in sources
    assert sources.index(OLD_BAD) < sources.index(NEW_BAD)
    old = next(p for p in ranked if p.source_id == OLD_BAD)
    new = next(p for p in ranked if p.source_id == NEW_BAD)
    assert (old.status, new.status) == ("in_force", "not_in_force")
    assert (old.version, new.version) == ("2010", "2030")
    assert new.applicable_source_id == OLD_BAD
    assert old.display_name == "Badeplasslova (bpl, 2010)"
    assert new.authority == "lov" and new.authority_rank == 1
    # a question about the new law still finds it first
    about_new = assistant.retriever.retrieve(
        "Kva seier den nye badeplasslova om badevakt og vasstemperatur?", Filters()
    ).passages
    assert about_new[0].source_id == NEW_BAD


def test_answer_warns_about_a_law_not_in_force_and_names_the_one_that_applies(
    assistant: Assistant,
) -> None:
    answer = assistant.answer(
        "Gjeld kravet i den nye badeplasslova om badevakt når vatnet er over 16 grader alt?",
        filters=Filters(as_of=date(2027, 1, 1)),
    )
    assert answer.as_of == "2027-01-01"
    assert NEW_BAD in _cited(answer)
    (note,) = [n for n in answer.currency if n.source_id == NEW_BAD]
    assert note.kind == "not_in_force" and not note.applies
    assert note.applicable_source_id == OLD_BAD and note.applicable_section
    assert note.text in answer.warnings
    assert "Badeplasslova (2030) er ikkje i kraft per 1. januar 2027" in note.text
    assert "Kongen fastset" in note.text and "Badeplasslova (bpl, 2010)" in note.text


def test_answer_on_a_date_after_the_replacement(assistant: Assistant) -> None:
    question = "Kor ofte må kommunen kontrollere leikeapparata etter leikeplasslova frå 2012?"
    later = assistant.answer(question, filters=Filters(as_of=date(2026, 6, 1)), lang="nb")
    assert OLD_LEIK in _cited(later)
    (note,) = [n for n in later.currency if n.source_id == OLD_LEIK]
    assert note.kind == "repealed" and note.applicable_source_id == NEW_LEIK
    assert note.applicable_section == "§ 2"  # the new law's own rule on the same thing
    assert "opphevet fra 1. januar 2026" in note.text and "Leikeplasslova (2025)" in note.text
    earlier = assistant.answer(question, filters=Filters(as_of=date(2025, 6, 1)), lang="nb")
    assert not [n for n in earlier.currency if n.source_id == OLD_LEIK]
    assert earlier.sources[0].source_id == OLD_LEIK


def test_a_section_not_yet_in_force_is_named(assistant: Assistant) -> None:
    answer = assistant.answer(
        "Må kommunen føre eit offentleg register over leikeplassar etter leikeplasslova § 4?",
        filters=Filters(as_of=date(2026, 6, 1)),
        lang="en",
    )
    notes = [n for n in answer.currency if n.kind == "section_not_in_force"]
    assert notes and notes[0].section == "§ 4" and notes[0].source_id == NEW_LEIK
    assert "§ 4 is not in force on 1 June 2026" in notes[0].text


def test_default_date_is_today(assistant: Assistant) -> None:
    answer = assistant.answer("Kva skal henge ved kvar badeplass?")
    assert answer.as_of == date.today().isoformat()
