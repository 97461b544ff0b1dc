"""Fixed texts of the Slack bot in bokmål, nynorsk and English.

The answer itself comes in the question's language from the core; these are the bot's own
words around it (buttons, labels, notices). Slack mrkdwn: `<#C…>` and `<@U…>` are channel and
user links, filled in from ids only (never from user text).
"""

from __future__ import annotations

LANGS = ("nb", "nn", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "useful": "Nyttig",
        "not_useful": "Ikke nyttig",
        "escalate": "Spør en jurist",
        "notice": (
            "Svarene kommer fra en KI-assistent, er ikke juridisk rådgivning, og viser til "
            "kildene sine."
        ),
        "refused": "Ikke besvart: kildene svarer ikke på dette",
        "sources": "Kilder",
        "closest": "Nærmeste kilder",
        "page": "s. {page}",
        "official": "offisiell kilde",
        "question": "Spørsmål",
        "working": "Søker i kildene …",
        "help": (
            "Skriv spørsmålet ditt etter @Regelrett, for eksempel: «@Regelrett Kan vi nekte "
            "innsyn i et internt notat?» Jeg svarer i tråden, med kildene."
        ),
        "help_command": (
            "Skriv spørsmålet etter kommandoen, for eksempel: "
            "`/regelrett Kan vi nekte innsyn i et internt notat?`"
        ),
        "too_long": "Spørsmålet er for langt: høyst {max} tegn. Prøv å korte det ned.",
        "rate_limited": (
            "Det er stilt mange spørsmål på kort tid her. Prøv igjen om {seconds} sekunder."
        ),
        "error": "Beklager, noe gikk galt, og jeg fikk ikke svart. Prøv igjen om litt.",
        "not_ready": "Regelrett starter opp og kan ikke svare ennå. Prøv igjen om et minutt.",
        "thanks": "Takk! Tilbakemeldingen er lagret.",
        "feedback_failed": "Fikk ikke lagret tilbakemeldingen. Prøv igjen om litt.",
        "escalated": (
            "Spørsmålet, svaret og kildene er sendt til juristene i <#{channel}>. De tar det "
            "derfra."
        ),
        "escalated_mark": "Sendt til juristene av <@{user}>.",
        "already_escalated": "Dette svaret er allerede sendt til juristene.",
        "no_advisers": (
            "Det er ikke satt opp en kanal for juristene her. Kontakt kommunens jurist direkte."
        ),
        "escalation_failed": (
            "Fikk ikke sendt spørsmålet til juristene. Kontakt kommunens jurist direkte."
        ),
        "answer_gone": (
            "Fant ikke svaret lenger. Still spørsmålet på nytt og trykk «Spør en jurist» igjen."
        ),
        "escalation_title": "Spørsmål til juristene",
        "escalation_from": "Fra <@{user}> i <#{channel}>",
        "escalation_from_dm": "Fra <@{user}> i en direktemelding til Regelrett",
        "escalation_thread": "Til tråden",
        "escalation_answer": "Svaret fra Regelrett",
        "escalation_refused": "Regelrett ga ikke svar: kildene svarer ikke på dette.",
        "more": "… og {n} til",
        "digest_title": "Nye og endrede kilder:",
        "added": "ny",
        "updated": "endret",
    },
    "nn": {
        "useful": "Nyttig",
        "not_useful": "Ikkje nyttig",
        "escalate": "Spør ein jurist",
        "notice": (
            "Svara kjem frå ein KI-assistent, er ikkje juridisk rådgiving, og viser til "
            "kjeldene sine."
        ),
        "refused": "Ikkje svart: kjeldene svarar ikkje på dette",
        "sources": "Kjelder",
        "closest": "Næraste kjelder",
        "page": "s. {page}",
        "official": "offisiell kjelde",
        "question": "Spørsmål",
        "working": "Søkjer i kjeldene …",
        "help": (
            "Skriv spørsmålet ditt etter @Regelrett, til dømes: «@Regelrett Kan vi nekte "
            "innsyn i eit internt notat?» Eg svarar i tråden, med kjeldene."
        ),
        "help_command": (
            "Skriv spørsmålet etter kommandoen, til dømes: "
            "`/regelrett Kan vi nekte innsyn i eit internt notat?`"
        ),
        "too_long": "Spørsmålet er for langt: høgst {max} teikn. Prøv å korte det ned.",
        "rate_limited": (
            "Det er stilt mange spørsmål på kort tid her. Prøv igjen om {seconds} sekund."
        ),
        "error": "Orsak, noko gjekk gale, og eg fekk ikkje svart. Prøv igjen om litt.",
        "not_ready": "Regelrett startar opp og kan ikkje svare enno. Prøv igjen om eit minutt.",
        "thanks": "Takk! Tilbakemeldinga er lagra.",
        "feedback_failed": "Fekk ikkje lagra tilbakemeldinga. Prøv igjen om litt.",
        "escalated": (
            "Spørsmålet, svaret og kjeldene er sende til juristane i <#{channel}>. Dei tek det "
            "derifrå."
        ),
        "escalated_mark": "Sendt til juristane av <@{user}>.",
        "already_escalated": "Dette svaret er allereie sendt til juristane.",
        "no_advisers": (
            "Det er ikkje sett opp ein kanal for juristane her. Kontakt juristen i kommunen "
            "direkte."
        ),
        "escalation_failed": (
            "Fekk ikkje sendt spørsmålet til juristane. Kontakt juristen i kommunen direkte."
        ),
        "answer_gone": (
            "Fann ikkje svaret lenger. Still spørsmålet på nytt og trykk «Spør ein jurist» igjen."
        ),
        "escalation_title": "Spørsmål til juristane",
        "escalation_from": "Frå <@{user}> i <#{channel}>",
        "escalation_from_dm": "Frå <@{user}> i ei direktemelding til Regelrett",
        "escalation_thread": "Til tråden",
        "escalation_answer": "Svaret frå Regelrett",
        "escalation_refused": "Regelrett gav ikkje svar: kjeldene svarar ikkje på dette.",
        "more": "… og {n} til",
        "digest_title": "Nye og endra kjelder:",
        "added": "ny",
        "updated": "endra",
    },
    "en": {
        "useful": "Useful",
        "not_useful": "Not useful",
        "escalate": "Ask a lawyer",
        "notice": (
            "Answers come from an AI assistant, are not legal advice, and cite their sources."
        ),
        "refused": "Not answered: the sources do not cover this",
        "sources": "Sources",
        "closest": "Closest sources",
        "page": "p. {page}",
        "official": "official source",
        "question": "Question",
        "working": "Searching the sources …",
        "help": (
            "Write your question after @Regelrett, for example: “@Regelrett Can we refuse access "
            "to an internal memo?” I answer in the thread, with the sources."
        ),
        "help_command": (
            "Write the question after the command, for example: "
            "`/regelrett Can we refuse access to an internal memo?`"
        ),
        "too_long": "The question is too long: at most {max} characters. Try to shorten it.",
        "rate_limited": (
            "Many questions have been asked here in a short time. Try again in {seconds} seconds."
        ),
        "error": "Sorry, something went wrong and I could not answer. Try again in a moment.",
        "not_ready": "Regelrett is starting and cannot answer yet. Try again in a minute.",
        "thanks": "Thank you! Your feedback has been saved.",
        "feedback_failed": "Your feedback could not be saved. Try again in a moment.",
        "escalated": (
            "The question, the answer and its sources have been sent to the legal advisers in "
            "<#{channel}>. They will take it from there."
        ),
        "escalated_mark": "Sent to the legal advisers by <@{user}>.",
        "already_escalated": "This answer has already been sent to the legal advisers.",
        "no_advisers": (
            "No channel for the legal advisers is set up here. Contact your municipality's "
            "legal adviser directly."
        ),
        "escalation_failed": (
            "The question could not be sent to the legal advisers. Contact your "
            "municipality's legal adviser directly."
        ),
        "answer_gone": (
            "The answer could not be found any more. Ask again and press “Ask a lawyer” again."
        ),
        "escalation_title": "Question for the legal advisers",
        "escalation_from": "From <@{user}> in <#{channel}>",
        "escalation_from_dm": "From <@{user}> in a direct message to Regelrett",
        "escalation_thread": "To the thread",
        "escalation_answer": "Regelrett's answer",
        "escalation_refused": "Regelrett did not answer: the sources do not cover this.",
        "more": "… and {n} more",
        "digest_title": "New and changed sources:",
        "added": "new",
        "updated": "changed",
    },
}


def lang_of(value: str | None) -> str:
    return value if value in LANGS else "nb"


def t(lang: str | None, key: str, **values: object) -> str:
    """The fixed text `key` in `lang` (bokmål for anything else)."""
    return TEXTS[lang_of(lang)][key].format(**values)
