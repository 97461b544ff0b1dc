"""Questions that ask for an amount, a number or a time limit, and texts that state one."""

from __future__ import annotations

import pytest

from assistant.answer.figures import asked, unstated


def _kinds(question: str) -> list[str]:
    return [f.kind for f in asked(question)]


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Hvor mye kan vi ta betalt for kopiene?", ["number"]),
        ("Hvor mye nysnø må være meldt?", ["number"]),
        ("Kva kostar det å sende digital post?", ["amount"]),
        ("Hva er dagens sats for kilometergodtgjørelse?", ["amount"]),
        ("How large was the fine Datatilsynet imposed?", ["amount"]),
        ("Hvor mange dager har vi på å svare?", ["days", "number", "time"]),
        ("How many working days do we have?", ["days", "number", "time"]),
        ("Hvor mange medlemmer skal utvalget ha?", ["number"]),
        ("Hvor mye får medlemmene i utvalget i møtegodtgjørelse?", ["amount", "number"]),
        ("Kor lang tid har vi på å svare?", ["time"]),
        ("Hva er fristen for å klage?", ["time"]),
        ("What is the deadline for reporting to KOSTRA?", ["time"]),
        ("How fast must we notify the supervisory authority?", ["time"]),
        ("Hvor lenge kan vi lagre opptakene?", ["time"]),
        ("Kor nær nabogrensa kan han byggje?", ["distance"]),
        ("How far from the school must the pupil live?", ["distance"]),
        ("Hvor langt tilbake må vi gå i arkivet?", []),  # back in time, not a distance
        ("How far does the duty to document reach?", []),
        ("Kor mykje tek arkivdepotet per hyllemeter?", ["amount", "number"]),
        ("Hvor mye kan en kommune få i tilskudd?", ["amount", "number"]),
        ("How much does the county charge for storing the records?", ["amount", "number"]),
        ("Hvor mye tid tar det å behandle et innsynskrav?", ["number"]),
        ("Hvor mange kroner kan vi kreve for en kopi?", ["amount", "number"]),
        # pay and budgets, and a date
        (
            "Kor mykje skal ein ordførar i ein kommune med rundt 5 000 innbyggjarar ha i årsløn?",
            ["amount", "number"],
        ),
        ("Hva er minstelønnen for en arkivleder?", ["amount"]),
        ("Roughly how much should we budget for legal costs?", ["amount", "number"]),
        ("Innan kva dato må arkivet vere overført?", ["time"]),
        ("By what date must the report be sent?", ["time"]),
        ("Hvordan og innen hvilken frist melder vi kravet?", ["time"]),
        # only the sentences that ask count; the setting's figure is not asked for
        ("Verktøyet foreslår hvor mange timer bistand en søker bør få. Er det høyrisiko?", []),
        ("Det foreslår timer. Hvor mange timer kan det foreslå?", ["hours", "number", "time"]),
        # questions that ask for no figure
        ("Må vi gjøre en DPIA før vi tar i bruk verktøyet?", []),
        ("Kan vi ta betalt for kopiene?", []),
        ("Hva er promillesatsen for eiendomsskatt?", []),  # a word inside a compound
        ("Er det lønnsomt å digitalisere arkivet?", []),
        ("Hvilken dato ble loven vedtatt", ["time"]),
        ("Hvor mange timer KI-opplæring må hver ansatt ha?", ["hours", "number", "time"]),
        ("Kor mange år skal vi ta vare på elevmappene?", ["years", "number", "time"]),
        ("Hvor stor stillingsprosent må personvernombudet ha?", ["share"]),
        ("What percentage of the budget may we use?", ["share"]),
        ("Hvor lang uttalefrist må vi gi?", ["time"]),
        ("Kor lang saksbehandlingstid har nemnda?", ["time"]),
        ("Hvor stor dagmulkt kan Datatilsynet ilegge oss?", ["amount"]),
        ("How often must the statement be updated?", ["frequency"]),
        ("Kva temperatur skal arkivlokalet halde?", ["measure"]),
    ],
)
def test_what_a_question_asks_for(question: str, kinds: list[str]) -> None:
    assert _kinds(question) == kinds


@pytest.mark.parametrize(
    ("kind_of", "text", "stated"),
    [
        ("Kor mykje kostar det?", "organet kan krevje éi krone per ark utover hundre", True),
        ("Hvor mye er boten?", "inntil 4 % av den samlede globale omsetningen", True),
        ("How much is the fine?", "fines up to EUR 35 000 000", True),
        ("Hva koster det?", "Det kan krevjast betaling for kopiar.", False),
        ("Hva koster det?", "Det kostar fem centimeter.", False),
        ("Kor lang tid har vi?", "Svaret skal gis uten ugrunnet opphold.", True),
        ("Hvor raskt må vi varsle?", "skal uten unødig opphold varsle organet", True),
        ("How long do we have?", "within one month of receipt of the request", True),
        ("Hvor lenge?", "Varselet skal sendes senest innen 24 timer.", True),
        ("Kor lenge?", "Klagefristen er tre veker.", True),
        ("Hvor lenge kan vi lagre?", "Opplysningene skal lagres på en sikker måte.", False),
        ("Hvor mange plasser?", "minst én sykkelplass per fem ansatte", True),
        ("Hvor mye nysnø?", "når det er meldt meir enn fem centimeter nysnø", True),
        ("Hvor mange plasser?", "Det skal være en plass for lastesykler.", False),
        ("Hvor langt fra skolen?", "når skolevegen er lengre enn fire kilometer", True),
        ("How close to the boundary?", "at least 4 m from the boundary", True),
        ("Kor nær grensa?", "Tiltaket skal plasserast forsvarleg.", False),
        # a count of days is a period; a section number is not
        ("Hvor mange dager har vi?", "Innsynskravet skal avgjøres innen fem virkedager.", True),
        ("Hvor mange dager har vi?", "Journalen skal føres etter § 10 i forskriften.", False),
        ("How much remuneration?", "a fee of NOK 500 per meeting", True),
        ("What is the deadline?", "The accounts shall be reported by 15 February.", True),
        ("Hva er fristen?", "Årsregnskapet skal vedtas innen 30. juni.", True),
        ("Hva er fristen?", "Regnskapet skal avlegges etter god kommunal regnskapsskikk.", False),
        ("How much remuneration?", "The council sets the remuneration of its 5 members.", False),
        # a count in a named unit: hours are answered by hours, days by days or weeks, years
        # by years or months; a share by a percentage
        ("Hvor mange timer opplæring?", "Opplæringen skal være på minst 40 timer.", True),
        ("Hvor mange timer opplæring?", "Tiltaket skal gjennomføres innen 30 dager.", False),
        ("How many hours of training?", "within a reasonable time", False),
        ("Kor mange dagar har vi?", "Fristen er tre veker.", True),
        ("Kor mange dagar har vi?", "Opplysningane skal lagrast i fem år.", False),
        ("Hvor mange år skal vi oppbevare?", "Materialet skal oppbevares i 18 måneder.", True),
        ("Hvor mange år skal vi oppbevare?", "Klagefristen er tre uker.", False),
        ("Hvor stor stillingsprosent?", "Ombudet skal ha minst 50 prosent stilling.", True),
        ("What percentage?", "up to 4 % of the total worldwide annual turnover", True),
        ("Hvor stor stillingsprosent?", "Ombudet skal ha tilstrekkelige ressurser.", False),
        ("Kor langt frå golvet?", "Reolane skal stå minst 10 cm over golvet.", True),
        ("How often?", "The statement shall be updated at least once a year.", True),
        ("Hvor ofte?", "Erklæringen skal oppdateres årlig.", True),
        ("Hvor ofte?", "Erklæringen skal oppdateres innen 30 dager.", False),
        ("Kva temperatur?", "Temperaturen skal vere mellom 18 og 20 grader.", True),
        ("Kva temperatur?", "Lokalet skal ha stabilt klima.", False),
    ],
)
def test_whether_a_text_states_the_figure(kind_of: str, text: str, stated: bool) -> None:
    figures = asked(kind_of)
    assert figures
    assert (unstated(figures, [text]) == []) is stated
    # any one of the passages may state it
    assert unstated(figures, ["Ingen tal her.", text]) == unstated(figures, [text])


@pytest.mark.parametrize(
    ("question", "text", "stated"),
    [
        # a claim the question asks to have confirmed is answered only where its figure stands
        ("Stemmer det at klagefristen er tre uker?", "Fristen for å klage er tre veker.", True),
        ("Stemmer det at klagefristen er tre uker?", "Klagen skal være skriftlig.", False),
        ("Is it true that fines reach 4 % of turnover?", "up to 4 % of the turnover", True),
        ("Stemmer det at vi må bruke ti prosent av budsjettet?", "§ 10 Internkontroll", False),
        ("Stemmer det at grensen er 5 000 innbyggere?", "kommuner med over 5000 innbyggere", True),
        ("Hvor lenge? Noen sier det finnes en sju-dagersregel.", "slettes etter 7 dager", True),
        ("Hvor lenge? Noen sier det finnes en sju-dagersregel.", "slettes innen 30 dager", False),
    ],
)
def test_a_claimed_figure_must_stand_in_the_sources(question: str, text: str, stated: bool) -> None:
    claim = [f for f in asked(question) if f.kind == "claim"]
    assert claim
    assert (unstated(claim, [text]) == []) is stated


def test_a_question_without_a_claim_or_figure_in_it_has_no_claim() -> None:
    assert [f.kind for f in asked("Stemmer det at vi må gjøre en DPIA?")] == []
    assert [f.kind for f in asked("Er § 10 i forskriften fortsatt i kraft?")] == []
