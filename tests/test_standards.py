"""Standards a question names by number or version that the sources never mention."""

from __future__ import annotations

from assistant.retrieval.standards import identifiers, known_identifiers, unknown_standards

SOURCES = [
    "Nettløsninger skal utformes i samsvar med WCAG 2.0/NS/ISO/IEC 40500:2012.",
    "See the Article 29 Working Party's guidelines (WP248 rev.01).",
    "Kravene i EN 301 549 V3.2.1 gjelder. Arkivformatet er PDF/A-2, jf. Noark 5.0.",
    "Fra samme tidspunkt oppheves forskrift 7. april 2006 nr. 402 om offentlige anskaffelser.",
]
ADDRESSES = [
    "https://lovdata.no/dokument/NL/lov/1967-02-10",
    "https://lovdata.no/dokument/SF/forskrift/2016-08-12-974",
]


def test_what_counts_as_a_standard() -> None:
    found = identifiers("WCAG 2.1, ISO/IEC 27001:2022, NS-EN 1332-4, EN 301 549 og noark5")
    assert set(found) == {"wcag 2.1", "number 27001", "number 1332", "number 301549", "noark 5"}
    assert found["number 301549"] == "EN 301 549"
    # "en" in lower case is an article, and a short number is no standard number
    assert identifiers("Vi har en 30 dagers frist og ISO 9 er ikke noe.") == {}


def test_a_standard_the_sources_do_not_name() -> None:
    known = known_identifiers(SOURCES)
    assert unknown_standards("When will WCAG 2.2 be mandatory?", known) == ["WCAG 2.2"]
    assert unknown_standards("Må vi følge ISO 27001?", known) == ["ISO 27001"]
    assert unknown_standards("Er Noark 5.5 godkjent?", known) == ["Noark 5.5"]
    # named by the sources, or a less exact version of what they name
    assert unknown_standards("Hva krever WCAG 2.0 av skjemaer?", known) == []
    assert unknown_standards("Gjelder EN 301 549 for appen?", known) == []
    assert unknown_standards("Hva sier Noark 5 om journalføring?", known) == []
    assert unknown_standards("Kan vi arkivere som PDF/A-2?", known) == []
    assert unknown_standards("Hva er forskjellen på PDF/A-1 og PDF/A-3?", known) == [
        "PDF/A-1",
        "PDF/A-3",
    ]


def test_a_numbered_guideline_the_sources_do_not_hold() -> None:
    known = known_identifiers(SOURCES)
    question = "What do the EDPB Guidelines 07/2020 say about processors?"
    assert unknown_standards(question, known) == ["Guidelines 07/2020"]
    assert unknown_standards("Hva sier WP 248 om DPIA?", known) == []
    assert unknown_standards("Does WP243 cover this?", known) == ["WP243"]


def test_an_act_cited_by_date_and_number() -> None:
    known = known_identifiers(SOURCES, ADDRESSES)
    question = "Hva står det i forskrift 14. april 2026 nr. 617 om klimakrav?"
    assert unknown_standards(question, known) == ["forskrift 14. april 2026 nr. 617"]
    assert unknown_standards("What does the Act of 1 June 2029 No. 5 say?", known) == [
        "Act of 1 June 2029 No. 5"
    ]
    assert unknown_standards("Gjelder FOR-2030-01-01-1 for oss?", known) == ["FOR-2030-01-01-1"]
    # a held document (by its address, with or without the number), or one the sources cite
    assert unknown_standards("Hva sier forskrift 12. august 2016 nr. 974 § 7-9?", known) == []
    assert unknown_standards("Gjelder FOR-2016-08-12-974 for kommuner?", known) == []
    assert unknown_standards("Hva sier lov 10. februar 1967 om habilitet?", known) == []
    assert unknown_standards("Gjelder forskrift 7. april 2006 nr. 402 fortsatt?", known) == []


def test_a_template_or_guide_of_a_body_the_sources_do_not_hold() -> None:
    known = known_identifiers(SOURCES)
    assert unknown_standards("Can you give me the KS standard template for a DPA?", known) == [
        "KS standard template"
    ]
    assert unknown_standards("Har dere malen fra DFØ for konkurransegrunnlag?", known) == [
        "malen fra DFØ"
    ]
    assert unknown_standards("Hva sier Digdirs veileder om skjemaer?", known) == [
        "Digdirs veileder"
    ]
    # the body named without a document of its own, or a template of no named body
    assert unknown_standards("Hva sier KS om dette?", known) == []
    assert unknown_standards("Finnes det en mal for behandlingsprotokoll?", known) == []
    # a body whose guide the sources name is known
    named = known_identifiers(["Se KS sin veileder om folkevalgtes godtgjøring."])
    assert unknown_standards("Hva står i KS' veileder om godtgjøring?", named) == []
