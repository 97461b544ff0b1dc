"""Questions that ask for a figure: an amount, a number, a time limit, a distance.

"Hvor mye kan vi ta?", "how many days", "kor lang tid har vi?", "kor nær nabogrensa?" are
answered only by text that states such a figure. When none of the best passages states one,
quoting them would answer a question nobody asked ("what are the rules about fees?") instead of
the one asked ("how much?"); the answer says the sources do not give the figure. The check
reads the passages' text, not their meaning: a passage with any amount counts, so it can only
hold back answers whose best passages state no figure of the kind at all. A count in a named
unit ("how many hours") needs that unit, "how often" a frequency, a share a percentage; and a
claim the question asks to have confirmed ("Stemmer det at … ti prosent?") needs its own
figures in the passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.retrieval.text import asking_sentences

# number words and their values; a claim's figure is found in a text in either form ("ti
# prosent", "10 %")
_WORD_NUMBERS = {
    "to": "2", "tre": "3", "fire": "4", "fem": "5", "seks": "6", "sju": "7", "syv": "7",
    "åtte": "8", "ni": "9", "ti": "10", "tolv": "12", "femten": "15", "tjue": "20",
    "tretti": "30", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twelve": "12", "fifteen": "15",
    "twenty": "20", "thirty": "30",
}  # fmt: skip
# numbers as the sources write them: digits, or words ("tre veker", "three months"), also the
# ones a claim does not read as its figure ("one of the …"); the words that are also articles
# ("en", "ei", "ett") count only before a unit ("ein månad")
_NUMBER_WORDS = "|".join(["én", "éi", "elleve", "one", "eleven", "seventy-two", *_WORD_NUMBERS])
_NUMBER = rf"(?:\d[\d .,]*|\b(?:{_NUMBER_WORDS}|en|ei|ein|ett|eitt|a|an))"
_MONTHS = (
    "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
    "january|february|march|may|june|july|october|december"
)
_UNITS_OF_TIME = (
    "dag|dagar|dager|dagen|døgn|uke|uker|veke|veker|måned|måneder|månad|månader|år|time|timer|"
    "timar|day|days|week|weeks|month|months|year|years|hour|hours|virkedag|virkedager|"
    "virkedagar|arbeidsdag|arbeidsdager|arbeidsdagar|yrkedag|yrkedager|yrkedagar|"
    "kalenderdager|kalenderdagar"
)


_HOW_MUCH = r"(?:hvor mye|kor mykje|how much)"


@dataclass(frozen=True)
class Figure:
    """One kind of figure: how a question asks for it, and how a text states it."""

    kind: str
    asks: re.Pattern[str]
    states: re.Pattern[str]


# a count as the sources write one before a unit: digits or a number word, not an article
# ("a reasonable time" states no hours)
_COUNT = rf"(?:\d[\d .,]*|\b(?:{_NUMBER_WORDS}|ein|eitt)\b)"
_HOW_MANY = r"\b(?:hvor mange|kor mange|how many)\s+(?:[\w-]+\s+)?"


def _in_units(asks: str, states: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """ "How many hours" is answered by a count of hours, not by any period: a passage that
    gives thirty days does not say how many hours of training are needed."""
    return (
        re.compile(rf"{_HOW_MANY}(?:{asks})\b", re.IGNORECASE),
        re.compile(rf"{_COUNT}\s*(?:[\w-]+\s)?(?:{states})\b", re.IGNORECASE),
    )


FIGURES: tuple[Figure, ...] = (
    # a count in a named unit of time; a period in the next larger unit answers it too ("two
    # weeks" for days, "six months" for years)
    Figure("hours", *_in_units(r"timer|timar|hours", r"timer|timar|time|timen|hours?")),
    Figure(
        "days",
        *_in_units(
            r"dager|dagar|days|døgn|virkedager|virkedagar|arbeidsdager|arbeidsdagar|yrkedagar|"
            r"kalenderdager|kalenderdagar",
            r"dag|dagar|dager|dagen|døgn|days?|virkedag\w*|arbeidsdag\w*|yrkedag\w*|"
            r"kalenderdag\w*|uke|uker|veke|veker|weeks?",
        ),
    ),
    Figure(
        "years",
        *_in_units(r"år|years", r"år|years?|måned|måneder|månad|månader|months?"),
    ),
    Figure(
        "share",
        # "hvor stor stillingsprosent", "what percentage": a share, not any number
        re.compile(
            r"\b(?:hvor|kor)\s+(?:stor|høy|høg)\s+(?:\w+\s+)?(?:stillingsprosent\w*|"
            r"prosent\w*|prosentdel\w*)|\b(?:hvor mange|kor mange|how many)\s+(?:prosent|"
            r"per ?cent)\b|\bwhat (?:percentage|share|proportion)\b|"
            r"\bhow (?:large|big|high) a (?:percentage|share|proportion)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d[\d,.]*\s*(?:%|prosent\b|per ?cent\b|percent\b)|\b(?:halvparten|halvdelen|"
            r"halvdel|half|tredjedel\w*|fjerdedel\w*|third|quarter)\b",
            re.IGNORECASE,
        ),
    ),
    Figure(
        "frequency",
        # "hvor ofte", "how often": answered by a frequency ("minst én gang i året",
        # "annually", "regularly"), not by a time limit
        re.compile(r"\b(?:hvor ofte|kor ofte|how often|how frequently)\b", re.IGNORECASE),
        re.compile(
            r"\b(?:hvert|hver|kvart|kvar|every|each)\s+(?:\w+\s+)?(?:år|året|måned|månad|uke|"
            r"veke|dag|kvartal|year|month|week|day|quarter)\b|\b(?:årlig|årleg|årlige|årlege|"
            r"månedlig|månadleg|ukentlig|vekentleg|daglig|dagleg|kvartalsvis|annually|yearly|"
            r"monthly|weekly|daily|quarterly|regelmessig\w*|jevnlig\w*|jamleg\w*|jamt|"
            r"løpende|løpande|regularly|periodically|periodisk\w*|on a regular basis|"
            r"continuous\w*|kontinuerlig\w*)\b|\b(?:gang|gong|gongen|gangen|once|twice|times)\s+"
            r"(?:i|a|per|om|every)\b|\bper\s+(?:år|year|måned|månad|month|uke|veke|week)\b",
            re.IGNORECASE,
        ),
    ),
    Figure(
        "measure",
        # a temperature or humidity: a number of degrees or a percentage answers it
        re.compile(
            r"\b(?:hva|kva|what|which)\s+(?:\w+\s+){0,2}?(?:temperatur\w*|luftfukt\w*|"
            r"fuktighet\w*|fukt\b|humidity|temperature)",
            re.IGNORECASE,
        ),
        re.compile(r"\d[\d,.]*\s*(?:°|grader|degrees|%|prosent|per ?cent)", re.IGNORECASE),
    ),
    Figure(
        "amount",
        re.compile(
            # "hvor mye får medlemmene i godtgjørelse": a sum of money
            # "kor mykje skal ein ordførar i ein kommune med rundt 5 000 innbyggjarar ha i
            # årsløn", "how much should we budget for legal costs"
            rf"\b{_HOW_MUCH}\s+(?:[\w-]+\s+){{0,15}}?(?:godtgjørelse\w*|"
            r"godtgjersle\w*|møtegodtgjørelse\w*|møtegodtgjersle\w*|honorar\w*|"
            r"(?:års|måneds|månads|minste|time)?(?:lønn|løn)\w*|"
            r"remuneration|allowance|fee|fees|salary|salaries|pay|wages?|budget|budsjett\w*)\b|"
            # "hva er minstelønnen", "what is the salary of": a pay rate
            r"\b(?:hva|kva|what)\s+(?:er|is|are)\s+(?:the\s+)?(?:\w+\s+)?(?:minstelønn\w*|"
            r"minsteløn\w*|årslønn\w*|årsløn\w*|lønn(?:a|en|ingen)?|løna|salary|salaries|"
            r"(?:minimum\s+)?wages?|(?:minimum\s+)?pay)\b|"
            r"\b(?:hvor mange|kor mange|how many)\s+(?:kroner|kronar|kr|euro|nok)\b|"
            # a price or a grant: "kor mykje tek arkivet per hyllemeter", "hvor mye kan en
            # kommune få" (not "hvor mye tid tar det")
            rf"\b{_HOW_MUCH}\s+(?!tid\b|time\b)(?:[\w-]+\s+){{0,3}}?"
            r"(?:tar|tek|koster|kostar|charge|charges|cost|costs)\b|"
            rf"\b{_HOW_MUCH}\s+(?:[\w-]+\s+){{0,5}}?per\s+(?:hyllemeter|"
            r"side|sida|sider|page|pages|time|hour|dag|day|elev|pupil|innbygger|innbyggjar)\b|"
            rf"\b{_HOW_MUCH}\s+(?:money\s+|penger\s+|pengar\s+)?"
            r"(?:kan|can|could|får|fær|will)\s+(?:en kommune|ein kommune|kommunen|vi|we|"
            r"a municipality|the municipality)\s+(?:\w+\s+)?(?:få|get|receive|søke om|"
            r"søkje om|apply for)\b|"
            r"\b(?:hvor|kor)\s+(?:stor|store|høy|høg|høyt|høgt)\s+(?:\w+\s+)?(?:dagmulkt\w*|"
            r"tvangsmulkt\w*|mulkt\w*|bot|bøter|bøtene|gebyr\w*|overtredelsesgebyr\w*|"
            r"lovbrotsgebyr\w*|erstatning\w*|vederlag\w*)\b|"
            r"\b(?:hva koster|kva kostar|what does it cost|how much does it cost|"
            r"hvor høy(?:t)? (?:er )?(?:satsen|gebyret|bota|boten)|how large (?:was|is|a) "
            r"(?:the )?fine|makspris\w*|sats(?:en|ane|ene)?|beløp(?:et)?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            _NUMBER + r"\s*(?:kron(?:e|er|a|ar)\b|kr\b|nok\b|euro|eur\b|%|prosent|per ?cent|"
            r"percent|"
            r"ganger (?:folketrygdens )?grunnbeløp|gonger grunnbeløpet|g\b)|"
            r"\b(?:nok|kr\.?|eur|euro)\s*\d",
            re.IGNORECASE,
        ),
    ),
    Figure(
        "number",
        # "hvor mye nysnø" asks for a quantity, not only for money: any number answers it
        re.compile(
            r"\b(?:hvor mange|kor mange|how many|hvor mye|kor mykje|how much)\b", re.IGNORECASE
        ),
        re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
    ),
    Figure(
        "distance",
        # "hvor langt fra skolen", "kor nær nabogrensa", "how far from the boundary"; not "hvor
        # langt tilbake" (back in time) or "how far the rules reach"
        re.compile(
            r"\b(?:hvor|kor) (?:langt|nær|nært|nærme|nærmare|nærmere|near)\b(?! tilbake)(?! bak)|"
            r"\bhow (?:far|close|near)\b(?! back)(?! does)(?! do)(?! can the)(?! is the)|"
            r"\b(?:minsteavstand|minimumsavstand|avstandskrav|minimum distance)\b",
            re.IGNORECASE,
        ),
        re.compile(
            _NUMBER + r"\s*(?:meter|meters|metres|metre|m\b|km\b|cm\b|mm\b|centimeter\w*|"
            r"centimetre\w*|millimeter\w*|kilometer|kilometres|kilometers|"
            r"kilometre|mil\b|miles?)",
            re.IGNORECASE,
        ),
    ),
    Figure(
        "time",
        # "how many days" asks for a period: a count of days answers it, "§ 10" does not
        re.compile(
            r"\b(?:hvor|kor)\s+lang\s+[\wæøå-]*(?:tid|frist)\w*\b|"
            r"\b(?:hvor lenge|kor lenge|hvor lang tid|kor lang tid|how long|hvor raskt|"
            r"kor raskt|how fast|how quickly|hvor fort|kor fort)\b|"
            rf"\b(?:hvor mange|kor mange|how many)\s+(?:\w+\s+)?(?:{_UNITS_OF_TIME})\b|"
            # "hva er fristen", "what is the deadline": a time limit or a date
            r"\b(?:hva|kva|what)\s+(?:er|is|are)\s+(?:the\s+)?(?:\w+\s+)?(?:frist|fristen|"
            r"fristene|fristane|tidsfrist\w*|deadline|deadlines|time limits?)\b|"
            r"\b(?:når|when)\s+(?:er|is|går|expires?)\s+(?:the\s+)?(?:fristen|deadline)\b|"
            # a date: "innan kva dato", "by what date", "innen hvilken frist"
            r"\b(?:innen|innan|by|before|før|til|fram til|until)\s+(?:hvilken|hvilke|kva|"
            r"which|what)\s+(?:dato|datoar|datoer|date|frist|fristar|frister|deadline|tid|time)\b|"
            r"\b(?:hvilken|kva for|what|which)\s+(?:dato|date)\b",
            re.IGNORECASE,
        ),
        re.compile(
            _NUMBER + rf"\s*(?:\w+\s)?(?:{_UNITS_OF_TIME})\b|uten (?:ugrunnet|unødig) opphold|"
            r"utan (?:ugrunna|unødig) opphald|without (?:undue|unnecessary) delay|snarest|"
            r"snarast|straks|umiddelbart|as soon as possible|without delay|forthwith|"
            r"immediately|promptly|"
            # a date: "innen 15. februar", "by 1 March"
            rf"\b\d{{1,2}}\.?\s*(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b",
            re.IGNORECASE,
        ),
    ),
)


# a claim the question asks to have confirmed: "Stemmer det at …", "Noen sier …", "Is it true
# that …"; the figures it names must be found in the sources for the claim to be answered
_CLAIM = re.compile(
    r"\b(?:stemmer det at|stemmer det virkelig at|er det riktig at|er det rett at|"
    r"er det sant at|er det korrekt at|gjeld det at|gjelder det at|is it true that|"
    r"is it correct that|is it right that|can you confirm that|please confirm that|"
    r"noen sier|nokon seier|nokre seier|some say|someone told|jeg har hørt|eg har høyrt|"
    r"vi har hørt|me har høyrt|i have heard|i've heard|we have heard|we've heard)\b[^.?!]*",
    re.IGNORECASE,
)
_CLAIMED = re.compile(
    r"\b\d+(?:[,.]\d+)?\b|\b(?:" + "|".join(_WORD_NUMBERS) + r")(?=[\s-])", re.IGNORECASE
)
# a number that labels a provision ("§ 10", "artikkel 10", "nr. 10") is no figure
_NOT_A_LABEL = r"(?<!§ )(?<!§)(?<!nr\. )(?<!rticle )(?<!rtikkel )(?<!pittel )(?<!hapter )"
_GROUPED = re.compile(r"(?<=\d)[  .](?=\d{3}\b)")  # "5 000", "5.000" -> "5000"


def _claimed_figure(question: str) -> Figure | None:
    """The figures a claim in the question names ("minst ti prosent", "en sju-dagersregel"),
    as a Figure that a text states when it has every one of them, in digits or in words."""
    numbers: list[str] = []
    for claim in _CLAIM.finditer(_GROUPED.sub("", question)):
        for m in _CLAIMED.finditer(claim.group(0)):
            digits = _WORD_NUMBERS.get(m.group(0).lower(), m.group(0))
            if digits not in numbers:
                numbers.append(digits)
    if not numbers:
        return None
    each = []  # one lookahead per number: the text holds it in digits or in words
    for d in numbers:
        forms = [rf"{_NOT_A_LABEL}(?<![\d,.]){re.escape(d)}(?![\d,])"]
        forms += [rf"\b{w}\b" for w, v in _WORD_NUMBERS.items() if v == d]
        each.append("(?=.*(?:" + "|".join(forms) + "))")
    return Figure("claim", _CLAIM, re.compile("^" + "".join(each), re.IGNORECASE | re.DOTALL))


def asked(question: str) -> list[Figure]:
    """The kinds of figure the question asks for (none for most questions). When some of its
    sentences ask ('…?'), only those count: "Et verktøy foreslår hvor mange timer bistand en
    søker bør få. Er det høyrisiko?" asks about risk, and the hours are the setting. A claim
    the question asks to have confirmed counts with the figures it names."""
    asking = " ".join(asking_sentences(question)) or question
    figures = [f for f in FIGURES if f.asks.search(asking)]
    claim = _claimed_figure(question)
    return [*figures, claim] if claim else figures


def unstated(figures: Iterable[Figure], texts: Sequence[str]) -> list[Figure]:
    """The asked figures that none of `texts` states."""
    figures = list(figures)
    if not figures:  # most questions ask for none: nothing to read
        return []
    plain = [_GROUPED.sub("", t) for t in texts]
    return [f for f in figures if not any(f.states.search(t) for t in plain)]
