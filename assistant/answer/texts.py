"""Fixed answer texts in bokmål, nynorsk and English."""

from __future__ import annotations

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
        "not_in_force": "{name} er ikke i kraft (ennå). Sjekk hvilken versjon som gjelder.",
        "repealed": "{name} er opphevet. Sjekk hvilken regel som gjelder nå.",
        "removed": (
            "{n} setning(er) fra språkmodellen ble fjernet fordi sitatet ikke fantes i kilden."
        ),
        "fallback": (
            "Språkmodellens svar kunne ikke verifiseres mot kildene; her er sitatene i stedet."
        ),
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
        "not_in_force": "{name} er ikkje i kraft (enno). Sjekk kva versjon som gjeld.",
        "repealed": "{name} er oppheva. Sjekk kva regel som gjeld no.",
        "removed": (
            "{n} setning(ar) frå språkmodellen vart fjerna fordi sitatet ikkje fanst i kjelda."
        ),
        "fallback": (
            "Svaret frå språkmodellen kunne ikkje verifiserast mot kjeldene; "
            "her er sitata i staden."
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
        "not_in_force": "{name} is not in force (yet). Check which version applies.",
        "repealed": "{name} has been repealed. Check which rule applies now.",
        "removed": (
            "{n} sentence(s) from the language model were removed: the quote was not in the source."
        ),
        "fallback": (
            "The language model's answer could not be verified against the sources; the quotes "
            "are shown instead."
        ),
    },
}


def text(lang: str, key: str, **values: object) -> str:
    return TEXTS.get(lang, TEXTS["nb"])[key].format(**values)
