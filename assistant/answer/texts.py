"""Fixed answer texts in bokmål, nynorsk and English."""

from __future__ import annotations

from datetime import date

_NB_MONTHS = "januar februar mars april mai juni juli august september oktober november desember"
_EN_MONTHS = "January February March April May June July August September October November December"
MONTH_NAMES = {"nb": _NB_MONTHS.split(" "), "en": _EN_MONTHS.split(" ")}

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "lead": "{name} {label} sier: «{quote}» [{n}]",
        "more": "Se også {name} {label}: «{quote}» [{n}]",
        "refusal": (
            "Kildene jeg har tilgang til, ser ikke ut til å svare på dette, så jeg gir ikke et "
            "svar. Nærmeste kilder: {closest}. Spør kommunens jurist eller rådgiver, eller "
            "statsforvalteren, om saken er viktig."
        ),
        "refusal_none": (
            "Kildene jeg har tilgang til, svarer ikke på dette, så jeg gir ikke et svar. Spør "
            "kommunens jurist eller rådgiver, eller statsforvalteren."
        ),
        "no_figure": "Kildene jeg fant, oppgir ikke {what} du spør om.",
        "fact_record": (
            "Kildene mine er lover, forskrifter og veiledning; de sier ikke hva som har skjedd, "
            "som vedtak, bøter, godkjenninger eller statistikk."
        ),
        "fact_current": (
            "Kildene mine er lover, forskrifter og veiledning; de oppgir ikke dagens satser, "
            "priser eller grunnbeløp, eller årets søknadsfrister."
        ),
        "fact_howto": (
            "Kildene mine sier hva regelverket krever, ikke hvordan et bestemt program settes "
            "opp eller brukes."
        ),
        "fact_advice": (
            "Kildene mine sier hva regelverket krever, ikke hvilket produkt, hvilken "
            "leverandør eller hvilken praksis som er best."
        ),
        "fact_product": (
            "Kildene mine sier hva regelverket krever, ikke hva en bestemt leverandør eller et "
            "bestemt produkt gjør med dataene, for eksempel hvor de lagres."
        ),
        "fact_disposal": (
            "Hvor lenge bestemte typer dokumenter skal oppbevares, og hva som skal bevares for "
            "ettertiden, fastsetter Nasjonalarkivet i egen forskrift og organet i egne "
            "bevarings- og kassasjonsvedtak; ingen av dem er blant kildene mine."
        ),
        "fact_predict": (
            "Kildene mine sier hva regelverket krever; de kan ikke forutsi hvordan en domstol "
            "eller klagenemnd vil avgjøre en sak."
        ),
        "fact_amended": (
            "Kildene mine har regelverket slik det ble vedtatt; de sier ikke hva som senere er "
            "foreslått eller vedtatt av endringer og utsettelser, eller hvilke nye datoer som "
            "gjelder."
        ),
        "fact_local": (
            "Kildene mine er lover, forskrifter og veiledning; de sier ingenting om den enkelte "
            "kommune, som kontaktpersoner, telefonnumre eller medlemskap."
        ),
        "fact_national": (
            "Kildene mine har KI-forordningen slik EU vedtok den, ikke hvordan Norge tar den "
            "inn: en norsk KI-lov, hvilke myndigheter Norge utpeker, eller når forordningen "
            "gjelder her."
        ),
        "figure_amount": "beløpet eller satsen",
        "figure_hours": "antallet timer",
        "figure_days": "antallet dager",
        "figure_years": "antallet år",
        "figure_share": "prosentsatsen eller andelen",
        "figure_frequency": "hyppigheten",
        "figure_claim": "det tallet",
        "figure_measure": "verdien",
        "figure_number": "antallet",
        "figure_time": "fristen eller tiden",
        "figure_distance": "avstanden",
        "unknown_law": "{laws} er ikke blant kildene jeg har tilgang til.",
        "unknown_standard": "Kildene jeg har tilgang til, nevner ikke {laws}.",
        "subject_law": (
            "Spørsmålet ser ut til å høre under {laws}, som ikke er blant kildene jeg har "
            "tilgang til."
        ),
        "and": "og",
        "not_in_force": "{name} er ikke i kraft (ennå). Sjekk hvilken versjon som gjelder.",
        "repealed": "{name} er opphevet. Sjekk hvilken regel som gjelder nå.",
        "removed": (
            "{n} setning(er) fra språkmodellen ble fjernet fordi sitatet ikke fantes i kilden."
        ),
        "fallback": (
            "Språkmodellens svar kunne ikke verifiseres mot kildene; her er sitatene i stedet."
        ),
        # versions and dates (assistant/answer/currency.py)
        "cur_not_in_force": "{name} er ikke i kraft per {as_of}{when}.",
        "cur_when_pending": " (vedtatt, trer i kraft når Kongen bestemmer)",
        "cur_when_date": " (trer i kraft {date})",
        "cur_applicable": " Til da gjelder {applicable}.",
        "cur_nearest": " Nærmeste bestemmelse der for spørsmålet: {section}.",
        "cur_check": " Sjekk hvilken versjon som gjelder.",
        "cur_section_not_in_force": "{name} {section} er ikke satt i kraft per {as_of}{when}.",
        "cur_repealed": "{name} er opphevet{since}.",
        "cur_since": " fra {date}",
        "cur_replaced": " Den er erstattet av {applicable}, som gjelder nå.",
        "cur_check_now": " Sjekk hvilken regel som gjelder nå.",
        "cur_eu_not_yet": (
            "{name} {section} gjelder først fra {date} ({provision}), ikke per {as_of}."
        ),
        "cur_eu_applies": "{name} {section} gjelder fra {date} ({provision}).",
        "cur_eu_part": " {part} gjelder først fra {date}.",
        "cur_in_force_since": "{name} er i kraft fra {date}.",
        "cur_section_in_force_since": "{name} {section} er i kraft fra {date}.",
        "cur_eea": ("Datoene er EUs datoer; kildene sier ikke når forordningen gjelder i Norge."),
    },
    "nn": {
        "lead": "{name} {label} seier: «{quote}» [{n}]",
        "more": "Sjå også {name} {label}: «{quote}» [{n}]",
        "refusal": (
            "Kjeldene eg har tilgang til, ser ikkje ut til å svare på dette, så eg gir ikkje "
            "eit svar. Næraste kjelder: {closest}. Spør juristen eller rådgivaren i kommunen, "
            "eller statsforvaltaren, om saka er viktig."
        ),
        "refusal_none": (
            "Kjeldene eg har tilgang til, svarar ikkje på dette, så eg gir ikkje eit svar. Spør "
            "juristen eller rådgivaren i kommunen, eller statsforvaltaren."
        ),
        "no_figure": "Kjeldene eg fann, oppgir ikkje {what} du spør om.",
        "fact_record": (
            "Kjeldene mine er lover, forskrifter og rettleiing; dei seier ikkje kva som har "
            "skjedd, som vedtak, bøter, godkjenningar eller statistikk."
        ),
        "fact_current": (
            "Kjeldene mine er lover, forskrifter og rettleiing; dei oppgir ikkje dagens satsar, "
            "prisar eller grunnbeløp, eller søknadsfristane i år."
        ),
        "fact_howto": (
            "Kjeldene mine seier kva regelverket krev, ikkje korleis eit bestemt program vert "
            "sett opp eller brukt."
        ),
        "fact_advice": (
            "Kjeldene mine seier kva regelverket krev, ikkje kva produkt, leverandør eller "
            "praksis som er best."
        ),
        "fact_product": (
            "Kjeldene mine seier kva regelverket krev, ikkje kva ein bestemt leverandør eller eit "
            "bestemt produkt gjer med dataa, til dømes kvar dei vert lagra."
        ),
        "fact_disposal": (
            "Kor lenge bestemte typar dokument skal oppbevarast, og kva som skal takast vare på "
            "for ettertida, fastset Nasjonalarkivet i eiga forskrift og organet i eigne "
            "bevarings- og kassasjonsvedtak; ingen av dei er blant kjeldene mine."
        ),
        "fact_predict": (
            "Kjeldene mine seier kva regelverket krev; dei kan ikkje seie føre korleis ein "
            "domstol eller klagenemnd vil avgjere ei sak."
        ),
        "fact_amended": (
            "Kjeldene mine har regelverket slik det vart vedteke; dei seier ikkje kva som seinare "
            "er føreslått eller vedteke av endringar og utsetjingar, eller kva nye datoar som "
            "gjeld."
        ),
        "fact_local": (
            "Kjeldene mine er lover, forskrifter og rettleiing; dei seier ingenting om den "
            "einskilde kommunen, som kontaktpersonar, telefonnummer eller medlemskap."
        ),
        "fact_national": (
            "Kjeldene mine har KI-forordninga slik EU vedtok ho, ikkje korleis Noreg tek ho "
            "inn: ei norsk KI-lov, kva styresmakter Noreg peikar ut, eller når forordninga "
            "gjeld her."
        ),
        "figure_amount": "beløpet eller satsen",
        "figure_hours": "talet på timar",
        "figure_days": "talet på dagar",
        "figure_years": "talet på år",
        "figure_share": "prosentdelen eller delen",
        "figure_frequency": "hyppigheita",
        "figure_claim": "det talet",
        "figure_measure": "verdien",
        "figure_number": "talet",
        "figure_time": "fristen eller tida",
        "figure_distance": "avstanden",
        "unknown_law": "{laws} er ikkje blant kjeldene eg har tilgang til.",
        "unknown_standard": "Kjeldene eg har tilgang til, nemner ikkje {laws}.",
        "subject_law": (
            "Spørsmålet ser ut til å høyre inn under {laws}, som ikkje er blant kjeldene eg har "
            "tilgang til."
        ),
        "and": "og",
        "not_in_force": "{name} er ikkje i kraft (enno). Sjekk kva versjon som gjeld.",
        "repealed": "{name} er oppheva. Sjekk kva regel som gjeld no.",
        "removed": (
            "{n} setning(ar) frå språkmodellen vart fjerna fordi sitatet ikkje fanst i kjelda."
        ),
        "fallback": (
            "Svaret frå språkmodellen kunne ikkje verifiserast mot kjeldene; "
            "her er sitata i staden."
        ),
        "cur_not_in_force": "{name} er ikkje i kraft per {as_of}{when}.",
        "cur_when_pending": " (vedteken, tek til å gjelde når Kongen fastset)",
        "cur_when_date": " (tek til å gjelde {date})",
        "cur_applicable": " Til då gjeld {applicable}.",
        "cur_nearest": " Næraste føresegn der for spørsmålet: {section}.",
        "cur_check": " Sjekk kva versjon som gjeld.",
        "cur_section_not_in_force": "{name} {section} er ikkje sett i kraft per {as_of}{when}.",
        "cur_repealed": "{name} er oppheva{since}.",
        "cur_since": " frå {date}",
        "cur_replaced": " Ho er erstatta av {applicable}, som gjeld no.",
        "cur_check_now": " Sjekk kva regel som gjeld no.",
        "cur_eu_not_yet": (
            "{name} {section} gjeld først frå {date} ({provision}), ikkje per {as_of}."
        ),
        "cur_eu_applies": "{name} {section} gjeld frå {date} ({provision}).",
        "cur_eu_part": " {part} gjeld først frå {date}.",
        "cur_in_force_since": "{name} er i kraft frå {date}.",
        "cur_section_in_force_since": "{name} {section} er i kraft frå {date}.",
        "cur_eea": (
            "Datoane er EU sine datoar; kjeldene seier ikkje når forordninga gjeld i Noreg."
        ),
    },
    "en": {
        "lead": "{name} {label} states: “{quote}” [{n}]",
        "more": "See also {name} {label}: “{quote}” [{n}]",
        "refusal": (
            "The sources available to me do not appear to answer this, so I will not give an "
            "answer. Closest sources: {closest}. Ask your municipality's legal adviser, or the "
            "county governor (statsforvalteren), if the matter is important."
        ),
        "refusal_none": (
            "The sources available to me do not answer this, so I will not give an answer. Ask "
            "your municipality's legal adviser or the county governor (statsforvalteren)."
        ),
        "no_figure": "The sources I found do not state the {what} you ask about.",
        "fact_record": (
            "My sources are laws, regulations and guidance; they do not record what has "
            "happened, such as decisions, fines, approvals or statistics."
        ),
        "fact_current": (
            "My sources are laws, regulations and guidance; they do not give today's rates, "
            "prices or basic amount, or this year's application deadlines."
        ),
        "fact_howto": (
            "My sources say what the rules require, not how to set up or use a particular program."
        ),
        "fact_advice": (
            "My sources say what the rules require, not which product, vendor or practice is best."
        ),
        "fact_product": (
            "My sources say what the rules require, not what a particular vendor or product does "
            "with the data, such as where it is stored."
        ),
        "fact_disposal": (
            "How long particular kinds of records are kept, and which are preserved for "
            "posterity, is set by the National Archives in a regulation of its own and by the "
            "body's own retention and disposal decisions; neither is among my sources."
        ),
        "fact_predict": (
            "My sources say what the rules require; they cannot predict how a court or a "
            "complaints board will decide a case."
        ),
        "fact_amended": (
            "My sources hold the rules as they were adopted; they do not say what changes or "
            "postponements have since been proposed or adopted, or which new dates apply."
        ),
        "fact_local": (
            "My sources are laws, regulations and guidance; they hold nothing about a single "
            "municipality, such as contact persons, phone numbers or memberships."
        ),
        "fact_national": (
            "My sources hold the AI Act as the EU adopted it, not how Norway takes it in: a "
            "Norwegian AI act, the authorities Norway designates, or when the regulation "
            "applies here."
        ),
        "figure_amount": "amount or rate",
        "figure_hours": "number of hours",
        "figure_days": "number of days",
        "figure_years": "number of years",
        "figure_share": "percentage or share",
        "figure_frequency": "frequency",
        "figure_claim": "figure",
        "figure_measure": "value",
        "figure_number": "number",
        "figure_time": "time limit or period",
        "figure_distance": "distance",
        "unknown_law": "{laws} is not among the sources available to me.",
        "unknown_standard": "The sources available to me do not mention {laws}.",
        "subject_law": (
            "The question appears to fall under {laws}, which is not among the sources "
            "available to me."
        ),
        "and": "and",
        "not_in_force": "{name} is not in force (yet). Check which version applies.",
        "repealed": "{name} has been repealed. Check which rule applies now.",
        "removed": (
            "{n} sentence(s) from the language model were removed: the quote was not in the source."
        ),
        "fallback": (
            "The language model's answer could not be verified against the sources; the quotes "
            "are shown instead."
        ),
        "cur_not_in_force": "{name} is not in force on {as_of}{when}.",
        "cur_when_pending": " (adopted; it enters into force when the King decides)",
        "cur_when_date": " (it enters into force on {date})",
        "cur_applicable": " Until then, {applicable} applies.",
        "cur_nearest": " The closest provision there for the question: {section}.",
        "cur_check": " Check which version applies.",
        "cur_section_not_in_force": "{name} {section} is not in force on {as_of}{when}.",
        "cur_repealed": "{name} has been repealed{since}.",
        "cur_since": " from {date}",
        "cur_replaced": " It is replaced by {applicable}, which applies instead.",
        "cur_check_now": " Check which rule applies now.",
        "cur_eu_not_yet": (
            "{name} {section} applies only from {date} ({provision}), not on {as_of}."
        ),
        "cur_eu_applies": "{name} {section} applies from {date} ({provision}).",
        "cur_eu_part": " {part} applies only from {date}.",
        "cur_in_force_since": "{name} has been in force since {date}.",
        "cur_section_in_force_since": "{name} {section} has been in force since {date}.",
        "cur_eea": (
            "These are the EU's dates; the sources do not say when the regulation applies in "
            "Norway."
        ),
    },
}


def text(lang: str, key: str, **values: object) -> str:
    return TEXTS.get(lang, TEXTS["nb"])[key].format(**values)


def format_date(value: date, lang: str) -> str:
    """'1. januar 2026' (nb, nn) or '1 January 2026' (en)."""
    if lang == "en":
        return f"{value.day} {MONTH_NAMES['en'][value.month - 1]} {value.year}"
    return f"{value.day}. {MONTH_NAMES['nb'][value.month - 1]} {value.year}"
