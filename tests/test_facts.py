"""Questions about events, statistics and today's values, which rules do not record."""

from __future__ import annotations

import pytest

from assistant.answer.facts import FACTS, asks_fact
from assistant.answer.texts import text


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
        ("Vi vurderer en skyløsning i USA. Hva har Datatilsynet uttalt om det?", "record"),
        ("What has the Privacy Appeals Board said about this?", "record"),
        ("Kor mange kommunar brukar allereie KI til saksbehandling?", "record"),
        ("Which archive systems are most common in small municipalities?", "record"),
        ("Kva for leverandørar er mest brukte i kommunane?", "record"),
        ("Høyrisikoreglene er visst utsatt. Hva er de nye fristene?", "amended"),
        ("The Commission's omnibus proposal changes the GDPR: what is in it?", "amended"),
        ("I heard the AI Act deadlines were postponed. What are the new dates?", "amended"),
        ("Når er søknadsfristen i år for tilskudd til digitalisering?", "current"),
        ("What is this year's application deadline for the innovation grant?", "current"),
        ("When does the AI Act become binding in Norway?", "national"),
        ("Er KI-forordningen tatt inn i EØS-avtalen?", "national"),
        ("What is the Norwegian law implementing the AI Act called?", "national"),
        ("Has the Data Protection Authority (Datatilsynet) ever fined a school?", "record"),
        ("Har Sivilombodet handsama nokon saker om dette, og kva vart utfallet?", "record"),
        ("Is Zoom approved for video consultations with patients?", "record"),
        ("Er Google Workspace godkjent for skolen?", "record"),
        ("Hvem er arkivleder i Lunner kommune?", "local"),
        ("Which cloud vendors should a small municipality choose?", "advice"),
        ("Kva er beste praksis for tilgangsstyring i sak/arkiv?", "advice"),
        ("Hvordan konfigurerer vi automatisk sletting i Teams?", "howto"),
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
        ("Hva har Datatilsynet sagt om når en DPIA er påkrevd?", None),
        ("What has the deployer stated in the logs we keep?", None),
        ("Hvor mange kommuner må samarbeide for å opprette et interkommunalt arkiv?", None),
        ("Hva er fristen for å klage når vedtaket er utsatt?", None),
        ("Kan vi bruke en vanlig søknadsfrist på tre uker?", None),
        ("Which obligations for deployers of high-risk AI apply in Norway from August 2026?", None),
        ("Hvilke regler i EØS-avtalen gjelder for offentlige anskaffelser?", None),
        ("Er KI-systemet godkjent etter KI-forordningen før vi tar det i bruk?", None),
        ("Hvem er behandlingsansvarlig i kommunen når vi bruker en databehandler?", None),
        ("Hvordan setter vi opp en databehandleravtale etter GDPR?", None),
        ("What was the purpose of the archive regulation's new chapter?", None),
        # market figures, advice asked of us, how to work a program, a vendor's practice,
        # a prediction
        ("Hvilket sak- og arkivsystem har flest kommunale kunder?", "record"),
        ("Which vendor has the largest market share?", "record"),
        ("Hva anbefaler dere: egen arkivar eller interkommunalt arkiv?", "advice"),
        ("Er det lurere å leie inn en jurist?", "advice"),
        ("Hvordan sladder jeg riktig i Adobe Acrobat?", "howto"),
        ("Can you walk me through, step by step, how to set up BankID login?", "howto"),
        ("How do I export the case files from Elements?", "howto"),
        ("Does Microsoft keep our prompts inside the EU?", "product"),
        ("Lagrer Google dataene i Norge?", "product"),
        ("Does that plan keep our prompts out of model training?", "product"),
        ("Are our prompts stored in the EEA?", "product"),
        ("How likely is it that the court would rule against us?", "predict"),
        ("Vil KOFA gi oss medhold i klagen?", "predict"),
        ("Hvor store sjanser har vi for å vinne saken?", "predict"),
        # what an ombudsman, board or court has said; fines given over recent years
        ("Hva har Sivilombudet uttalt om hvor lang tid et innsynskrav kan ta?", "record"),
        ("Has the Privacy Appeals Board said anything about camera logs?", "record"),
        ("Hvor store gebyr har Datatilsynet gitt kommuner de siste årene?", "record"),
        # who holds a post here, which menu or form of a program the office uses
        ("Hvem er personvernombud hos oss nå?", "local"),
        ("Who is our data protection officer?", "local"),
        ("Kven er arkivleiaren vår?", "local"),
        ("Which menu do I use in Elements to make the extract?", "local"),
        ("Hvilket skjema i avvikssystemet bruker vi for brudd?", "local"),
        # the office's own routines and decisions; a named county governor's office
        ("Hva sier rutinen vår for avviksmelding?", "local"),
        ("Does our municipality already have a signed agreement with the vendor?", "local"),
        ("Har kommunestyret hos oss vedteke retningslinjer for KI?", "local"),
        ("Who at the municipality approves new AI tools?", "local"),
        ("Kva statsforvaltarembete er klageinstans for Tynset kommune?", "local"),
        # what happened, the largest fine ever, who holds an office now
        ("Jeg lurer på hva som skjedde med saken sist vi hadde et brudd.", "record"),
        ("What's the biggest fine a municipality has ever received?", "record"),
        ("Who is the current director of Datatilsynet?", "record"),
        ("Veit du kven som er leiar i Personvernnemnda no?", "record"),
        # advice and predictions in other words
        ("Er det lurt for en liten kommune å bruke ChatGPT til saksframlegg?", "advice"),
        ("Tror du Datatilsynet gir oss bot for dette?", "predict"),
        ("Kor stor sjanse har vi for å vinne klagesaka?", "predict"),
        # how to work a named program, with the subject inside the verb
        ("Korleis set eg opp automatisk sletting i Outlook?", "howto"),
        ("Hvordan slår jeg av chathistorikken i Copilot?", "howto"),
        ("Vis meg steg for steg hvordan jeg skjermer en journalpost i ePhorte.", "howto"),
        # how long one kind of record is kept, or whether it is preserved for good
        (
            "Vi har personalmappene til ansatte som sluttet på 1990-tallet. Skal de bevares "
            "for alltid, eller kan vi kassere dem etter et bestemt antall år?",
            "disposal",
        ),
        ("Kor mange år skal vi oppbevare elevmappene før dei kan kasserast?", "disposal"),
        ("How many years must we keep the case files of rejected applicants?", "disposal"),
        # which Norwegian body, in a question about the AI Act
        (
            "Vi har gjort en konsekvensvurdering for et høyrisiko KI-system. Hvilket norsk "
            "organ skal vi sende den til?",
            "national",
        ),
        # the rules in the same words: answered
        ("Does Datatilsynet require a DPIA for this?", None),
        ("Does GDPR apply to our archive?", None),
        ("Does the vendor have to sign a data processing agreement?", None),
        ("Hvordan setter vi opp en behandlingsprotokoll i tråd med GDPR?", None),
        ("Hvordan klager jeg på et vedtak i Fosen kommune?", None),
        ("Hvordan gir vi innsyn i et dokument i Elements?", None),
        # disposal in general, or how to do it, is a question about the rules
        ("Kan vi kassere dokumenter uten å spørre Arkivverket?", None),
        ("Hva må vi gjøre før vi kasserer saksmappene som ikke skal bevares?", None),
        ("Opplysningene ligger i saksmapper i arkivet. Må vi kassere dokumentene?", None),
        ("Kan vi bruke Microsoft Teams til å ta opp møter?", None),
        ("Is Word an approved format for archiving?", None),
        ("Hvordan eksporterer vi arkivuttrekk fra Noark-systemet til Arkivverket?", None),
        ("Does Noark 5 store the name of the case handler?", None),
        ("May we store personal data outside the EEA?", None),
        ("Hva kan Klagenemnda for offentlige anskaffelser gjøre med en klage?", None),
        ("Hva skjer hvis retten kjenner kontrakten uten virkning?", None),
        ("Hva har Datatilsynet sagt om DPIA for skolesystemer?", None),  # its guidance is held
        ("Hvem er klageinstans når kommunen avslår innsyn?", None),
        ("Hvilket skjema må vi bruke når vi klager etter loven?", None),
        ("Hva kan Datatilsynet gi i gebyr?", None),
        ("Hvilken norsk myndighet fører tilsyn med personvern?", None),
        ("Tror du dette er en behandling av personopplysninger?", None),
        ("Hvem er leder av kontrollutvalget etter loven?", None),
        ("Hvordan gir vi innsyn i et dokument i Elements?", None),
    ],
)
def test_what_kind_of_fact_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asks_fact(question) == kind


def test_every_kind_of_fact_has_its_text_in_each_language() -> None:
    for kind in {fact.kind for fact in FACTS}:
        texts = {lang: text(lang, f"fact_{kind}") for lang in ("nb", "nn", "en")}
        assert all(texts.values()), kind
        assert len(set(texts.values())) == 3, kind  # each written in its own language
