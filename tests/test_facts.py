"""Questions about events, statistics and today's values, which rules do not record."""

from __future__ import annotations

import pytest

from assistant.answer.facts import asks_fact


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Har Statsforvalteren noen gang opphevet et vedtak om innsyn i vår kommune?", "record"),
        ("Has the Privacy Appeals Board ever overturned a municipality's decision?", "record"),
        ("Har Digdir godkjent Teams for bruk i kommunal saksbehandling?", "record"),
        ("Has the chatbot vendor been certified under the AI Act yet?", "record"),
        ("Hvilke fylkeskommuner som har fått overtredelsesgebyr, bør vi lære av?", "record"),
        ("Which municipalities have been fined for missing DPIAs?", "record"),
        ("How large was the fine in the school camera case?", "record"),
        ("Kor stort vart gebyret som bydelen fekk?", "record"),
        ("Kor mange klager på innsyn behandla kommunane i fjor?", "record"),
        ("How many AI systems did Norwegian municipalities buy in 2025?", "record"),
        ("Hva er dagens sats for diettgodtgjørelse?", "current"),
        ("What is this year's price of a Fiks licence?", "current"),
        ("The act sets the cap at ten times G. What is G in kroner today?", "current"),
        ("Kva er grunnbeløpet?", "current"),
        ("Which video meeting tools are currently approved by Digdir for schools?", "record"),
        ("Hvilke arkivsystemer er godkjent av Arkivverket i dag?", "record"),
        ("Hva er telefonnummeret til arkivlederen hos oss?", "local"),
        ("Who is the contact person for our records at the county?", "local"),
        ("Kva for nettverk er kommunen vår medlem i?", "local"),
        ("Når trer den norske KI-loven i kraft?", "national"),
        ("Has Norway's AI act been adopted by the Storting?", "national"),
        ("Which Norwegian authority will supervise the AI Act for municipalities?", "national"),
        ("Hvilken myndighet er utpekt til markedstilsyn i Norge?", "national"),
        ("Gjelder KI-forordningen i Norge allerede?", "national"),
        # questions about the rules, told with the same words
        ("Vi har hittil lagret alle e-poster i fellesmappa. Er det lov?", None),
        ("Kommunen har fått et overtredelsesgebyr. Kan vi klage på vedtaket?", None),
        ("Hvor stort overtredelsesgebyr kan Datatilsynet ilegge en kommune?", None),
        ("How large a fine can the supervisory authority impose on a public body?", None),
        ("Teknisk kjøpte i fjor et kartverktøy uten kunngjøring. Var det lovlig?", None),
        ("Må KI-systemet være sertifisert før vi tar det i bruk?", None),
        ("Hvor mange dager har vi på å svare på et innsynskrav?", None),
        ("Has the AI Act's ban on social scoring applied since February 2025?", None),
        ("Hvilke krav gjelder når vi har fått en klage på et vedtak om innsyn?", None),
        ("What is the current threshold for a national tender?", None),
        ("Hvilke KI-systemer er forbudt i Norge etter KI-forordningen?", None),
        ("Which authority supervises the GDPR in Norway?", None),
        ("Må vi publisere kontaktopplysningene til personvernombudet?", None),
        ("Must we publish the data protection officer's e-mail address?", None),
        ("Kan kommunen være medlem i et interkommunalt arkiv?", None),
        ("Which documents must be approved by the municipal council?", None),
        ("Hvilke krav stiller KI-forordningen til norske kommuner som bruker chatboter?", None),
        ("What must a national market surveillance authority do under the AI Act?", None),
        ("Which parts of the AI Act apply to municipalities in Norway?", None),
    ],
)
def test_what_kind_of_fact_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asks_fact(question) == kind
