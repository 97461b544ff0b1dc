"""Fixed texts of the server-rendered pages (passage view) in bokmål, nynorsk and English.

The widget carries its own texts in `static/widget.js`; these are for the HTML pages the
service renders itself.
"""

from __future__ import annotations

LANGS = ("nb", "nn", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "skip": "Hopp til innholdet",
        "kind": "Kildeutdrag",
        "breadcrumb": "Plassering",
        "document": "Dokument",
        "section": "Avsnitt",
        "heading": "Plassering i dokumentet",
        "pages": "Sider",
        "page": "Side",
        "in_force": "I kraft fra",
        "status": "Status",
        "official": "Offisiell kilde",
        "text": "Teksten",
        "cited": "Utdraget svaret viser til",
        "sections": "Avsnitt i dokumentet",
        "previous": "Forrige avsnitt",
        "next": "Neste avsnitt",
        "whole": "Hele dokumentet",
        "neighbours": "Andre avsnitt",
        "not_found": "Fant ikke kilden",
        "not_found_text": "Kilden eller avsnittet finnes ikke i indeksen (lenger).",
        "not_ready": "Tjenesten er ikke klar",
        "not_public": "Kildene er ikke åpne her",
        "not_public_text": "Denne tjenesten viser ikke kildetekster til alle. Se den offisielle "
        "kilden, eller spør den som drifter tjenesten.",
        "home": "Til forsiden",
        "note": (
            "Teksten er hentet fra kildene Regelrett har indeksert. Sjekk den offisielle kilden "
            "for gjeldende versjon."
        ),
        "status_in_force": "i kraft",
        "status_not_in_force": "ikke i kraft (ennå)",
        "status_repealed": "opphevet",
    },
    "nn": {
        "skip": "Hopp til innhaldet",
        "kind": "Kjeldeutdrag",
        "breadcrumb": "Plassering",
        "document": "Dokument",
        "section": "Avsnitt",
        "heading": "Plassering i dokumentet",
        "pages": "Sider",
        "page": "Side",
        "in_force": "I kraft frå",
        "status": "Status",
        "official": "Offisiell kjelde",
        "text": "Teksten",
        "cited": "Utdraget svaret viser til",
        "sections": "Avsnitt i dokumentet",
        "previous": "Førre avsnitt",
        "next": "Neste avsnitt",
        "whole": "Heile dokumentet",
        "neighbours": "Andre avsnitt",
        "not_found": "Fann ikkje kjelda",
        "not_found_text": "Kjelda eller avsnittet finst ikkje i indeksen (lenger).",
        "not_ready": "Tenesta er ikkje klar",
        "not_public": "Kjeldene er ikkje opne her",
        "not_public_text": "Denne tenesta viser ikkje kjeldetekstar til alle. Sjå den offisielle "
        "kjelda, eller spør den som driftar tenesta.",
        "home": "Til framsida",
        "note": (
            "Teksten er henta frå kjeldene Regelrett har indeksert. Sjekk den offisielle kjelda "
            "for gjeldande versjon."
        ),
        "status_in_force": "i kraft",
        "status_not_in_force": "ikkje i kraft (enno)",
        "status_repealed": "oppheva",
    },
    "en": {
        "skip": "Skip to content",
        "kind": "Source passage",
        "breadcrumb": "Location",
        "document": "Document",
        "section": "Section",
        "heading": "Place in the document",
        "pages": "Pages",
        "page": "Page",
        "in_force": "In force from",
        "status": "Status",
        "official": "Official source",
        "text": "The text",
        "cited": "The passage the answer cites",
        "sections": "Sections of the document",
        "previous": "Previous section",
        "next": "Next section",
        "whole": "The whole document",
        "neighbours": "Other sections",
        "not_found": "Source not found",
        "not_found_text": "The source or section is not (or no longer) in the index.",
        "not_ready": "The service is not ready",
        "not_public": "The sources are not open here",
        "not_public_text": "This service does not show source texts to everyone. See the official "
        "source, or ask whoever runs the service.",
        "home": "To the front page",
        "note": (
            "The text comes from the sources Regelrett has indexed. Check the official source "
            "for the version in force."
        ),
        "status_in_force": "in force",
        "status_not_in_force": "not in force (yet)",
        "status_repealed": "repealed",
    },
}


def ui_lang(value: str | None) -> str:
    return value if value in LANGS else "nb"


def text(lang: str, key: str) -> str:
    return TEXTS[ui_lang(lang)][key]
