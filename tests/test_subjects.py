"""Subjects governed by laws that are not among the sources (knowledge/subject-laws.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.resources import data_folder
from assistant.retrieval.lexical import DocInfo
from assistant.retrieval.references import ReferenceResolver
from assistant.retrieval.subjects import SubjectLaws
from assistant.settings import RetrievalSettings

SHIPPED = data_folder("knowledge") / "subject-laws.yaml"


def _resolver(*titles: str) -> ReferenceResolver:
    docs = [
        DocInfo(f"{i}.md", "", t, t, "", "law", "nb", "in_force", "", {"§ 1"})
        for i, t in enumerate(titles)
    ]
    r = RetrievalSettings()
    return ReferenceResolver(docs, r.eu_aliases, r.law_aliases)


def _absent(subjects: SubjectLaws, question: str, resolver: ReferenceResolver) -> list[str]:
    return [
        law.names["nb"] for law in subjects.absent(question, lambda n: bool(resolver.laws_in(n)))
    ]


@pytest.fixture(scope="module")
def shipped() -> SubjectLaws:
    return SubjectLaws.load(SHIPPED)


@pytest.mark.parametrize(
    ("question", "law"),
    [
        ("Hvor høy eiendomsskattesats kan kommunestyret vedta?", "eiendomsskatteloven"),
        ("Kva gebyr kan vi ta for ferdigattesten i byggjesaka?", "plan- og bygningsloven"),
        ("Kor lang oppseiingstid har ein fast tilsett?", "arbeidsmiljøloven"),
        ("How many days of self-certification can an employee use?", "folketrygdloven"),
        ("Hvor mye er søskenmoderasjonen i barnehagen?", "barnehageloven"),
        ("How do we allocate a place in a nursing home?", "helse- og omsorgstjenesteloven"),
        ("Kor nær nabogrensa kan han setje opp garasjen?", "plan- og bygningsloven"),
    ],
)
def test_a_subject_names_the_law_that_governs_it(
    shipped: SubjectLaws, question: str, law: str
) -> None:
    assert law in _absent(shipped, question, _resolver("Offentleglova"))
    assert not shipped.covered(question)


def test_a_law_among_the_sources_is_not_absent(shipped: SubjectLaws) -> None:
    question = "Hva er fristen for å behandle en byggesøknad?"
    assert _absent(shipped, question, _resolver("Offentleglova")) == ["plan- og bygningsloven"]
    held = _resolver("Offentleglova", "Plan- og bygningsloven")
    assert _absent(shipped, question, held) == []


def test_questions_our_sources_answer_name_no_absent_subject(shipped: SubjectLaws) -> None:
    resolver = _resolver("Offentleglova")
    for question in (
        "Må vi journalføre e-post fra foreldre i barnehagen?",
        "Kan en ansatt kreve innsyn i intervjunotatene etter en tilsetting?",
        "Kilometerstanden i tjenestebilen: er det en personopplysning?",
        "Skulen vil bruke ei app der elevane rapporterer trivsel. Krev det DPIA?",
        "Naboen vil ha papirkopi av hele byggesaken. Kan vi ta betalt for kopiene?",
        # a service named as the setting is not the subject ("home care", "the library")
        "The council will discuss a case about the head of the home care service. Closed?",
        "We are buying a chatbot for the public library. Is it a high-risk AI system?",
        "Our waterworks treats drinking water for 5,000 people. Are we covered by the act?",
    ):
        assert _absent(shipped, question, resolver) == [], question


def test_touching_what_the_sources_cover(shipped: SubjectLaws) -> None:
    # the subject belongs to an absent law, but the question is about storing personal data
    question = "Hvor lenge kan vi lagre sykmeldingene i personalmappen?"
    assert _absent(shipped, question, _resolver("Offentleglova")) == ["folketrygdloven"]
    assert shipped.covered(question)
    assert shipped.covered("Kan vi bruke et KI-verktøy til dette?")
    # a short word counts whole or before a hyphen, never as the start of a longer word
    assert not shipped.covered("Hva er satsen per kilometer?")
    assert not shipped.covered("Gjelder dette for kirkegården?")
    # a covered word inside a compound: the archive of building cases is about archives
    assert shipped.covered("Kan vi skanne byggjesaksarkivet og kaste papiret?")
    assert not shipped.covered("Hvem i avdelingen har ansvaret?")


def test_what_the_asking_sentence_names_decides(shipped: SubjectLaws) -> None:
    held = _resolver("Forvaltningsloven")

    def absent(q: str) -> list:
        return shipped.absent(q, lambda n: bool(held.laws_in(n)))

    # the setting touches appeals; what is asked is the time limit for a building permit
    question = (
        "Naboen klager over at tilbygget hans ikke er behandlet. "
        "Hvor lang tid har kommunen på en byggesøknad?"
    )
    assert shipped.covered(question)
    assert shipped.asked_outside(question, absent(question))
    # the asking sentence names what the sources cover: an appeal against the permit
    question = "Naboen har fått byggetillatelse. Kan vi gi innsyn i byggesøknaden?"
    assert not shipped.asked_outside(question, absent(question))
    # the asking sentence names no subject at all: the setting tells what it is about
    question = "Naboen vil ha innsyn i byggesøknaden. Må vi gi det?"
    assert not shipped.asked_outside(question, absent(question))
    # no absent law, nothing outside
    assert not shipped.asked_outside("Hvor lang er klagefristen?", [])


def test_the_words_of_an_absent_subject_do_not_count_as_covered(shipped: SubjectLaws) -> None:
    held = _resolver("Offentleglova")
    # "innsyn" and "e-post" are what the sources cover, but here they name the employer's
    # access to a mailbox, whose regulation the sources do not hold
    question = "Hvilke regler gjelder for arbeidsgivers innsyn i en ansatts e-post?"
    absent = shipped.absent(question, lambda n: bool(held.laws_in(n)))
    assert [law.name("nb") for law in absent] == ["forskrift om arbeidsgivers innsyn i e-postkasse"]
    assert shipped.covered(question)
    assert not shipped.covered(question, absent)
    # a journalist's request for the mayor's e-mail is a matter of access to documents
    question = "Kan en journalist kreve innsyn i e-postkassen til ordføreren?"
    assert shipped.absent(question, lambda n: bool(held.laws_in(n))) == []


def test_matching_is_at_the_start_of_a_word(tmp_path: Path) -> None:
    path = tmp_path / "subjects.yaml"
    path.write_text(
        "laws:\n"
        "  - law: {nb: kattelova, en: the Cat Act}\n"
        "    words: [kattelisens, ki]\n"
        "covered: [innsyn]\n",
        encoding="utf-8",
    )
    subjects = SubjectLaws.load(path)
    never = _resolver()
    assert _absent(subjects, "Kva kostar kattelisensen?", never) == ["kattelova"]
    assert _absent(subjects, "Kva kostar ein hundelisens?", never) == []
    assert _absent(subjects, "Kan KI-en svare?", never) == ["kattelova"]
    assert _absent(subjects, "Kva med kilometer?", never) == []
    assert subjects.laws[0].name("nn") == "kattelova"  # falls back to bokmål
    assert subjects.laws[0].name("en") == "the Cat Act"


def test_a_broken_file_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "subjects.yaml"
    path.write_text("laws:\n  - law: {en: the Cat Act}\n    words: [katt]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="law 1 needs"):
        SubjectLaws.load(path)
