"""The shipped knowledge/ folder: the source catalogue and the municipal templates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingest.pull import load_catalogue

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
TEMPLATES = sorted((KNOWLEDGE / "templates").glob("*.md"))

# Required catalogue entries: an id, or a fragment of the official URL.
REQUIRED = {
    "ki-forordningen": "eli/reg/2024/1689",
    "gdpr": "eli/reg/2016/679",
    "personopplysningsloven": "lov/2018-06-15-38",
    "personopplysningsforskriften": "forskrift/2018-06-15-876",
    "forvaltningsloven": "lov/1967-02-10",
    "forvaltningsloven-2025": "lov/2025-06-20-81",
    "forvaltningslovforskriften": "forskrift/2006-12-15-1456",
    "offentleglova": "lov/2006-05-19-16",
    "offentlegforskrifta": "forskrift/2008-10-17-1119",
    "kommuneloven": "lov/2018-06-22-83",
    "arkivlova": "lov/2025-06-20-96",
    "arkivlova-1992": "lov/1992-12-04-126",
    "arkivforskrifta": "forskrift/2025-12-17-2647",
    "anskaffelsesloven": "lov/2016-06-17-73",
    "anskaffelsesforskriften": "forskrift/2016-08-12-974",
    "eforvaltningsforskriften": "forskrift/2004-06-25-988",
    "uu-ikt-forskriften": "forskrift/2013-06-21-732",
    "it-standardforskriften": "forskrift/2013-04-05-959",
    "likestillings-og-diskrimineringsloven": "lov/2017-06-16-51",
    "digitalsikkerhetsloven": "lov/2023-12-20-108",
    "digitaliseringsrundskrivet": "regjeringen.no",
    "datatilsynet-dpia-liste": "datatilsynet.no",
    "noark-5": "arkivverket.no",
}

REQUIRED_TEMPLATES = {
    "vurdering-ki-verktoy.md",
    "avslag-innsynskrav.md",
    "melding-personvernbrudd.md",
    "dpia-behov-sjekkliste.md",
    "databehandleravtale-sjekkliste.md",
    "behandlingsprotokoll.md",
}

PROVISION = re.compile(r"§ \d|art(ikkel|\.)? ?\d", re.IGNORECASE)
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


def _split(path: Path) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name}: no YAML front matter"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    return meta, match.group(2)


def test_catalogue_loads_and_has_the_required_sources() -> None:
    entries = load_catalogue(KNOWLEDGE / "sources.yaml")
    by_id = {e.id: e for e in entries}
    for ident, url_part in REQUIRED.items():
        found = by_id.get(ident) or next((e for e in entries if e.url and url_part in e.url), None)
        assert found is not None, f"missing source {ident} ({url_part})"
        assert found.url and url_part in found.url, f"{ident}: url {found.url!r}"
        assert found.file, f"{ident}: no file name"


def test_catalogue_facts() -> None:
    by_id = {e.id: e for e in load_catalogue(KNOWLEDGE / "sources.yaml")}
    assert by_id["ki-forordningen"].doc_type == "eu_regulation"
    assert by_id["ki-forordningen"].jurisdiction == "EU"
    assert by_id["offentleglova"].abbreviation == "offl"
    assert by_id["offentleglova"].language == "nn"
    assert by_id["forvaltningsloven"].abbreviation == "fvl"
    assert by_id["forvaltningsloven"].status == "in_force"
    assert by_id["forvaltningsloven-2025"].status == "not_in_force"
    assert by_id["digitaliseringsrundskrivet"].doc_type == "circular"
    assert by_id["datatilsynet-dpia-liste"].doc_type == "guidance"
    assert by_id["noark-5"].doc_type == "standard"
    for entry in by_id.values():
        if entry.jurisdiction == "NO" and entry.doc_type in {"law", "regulation"}:
            assert entry.url and entry.url.startswith("https://lovdata.no/dokument/"), entry.id


def test_there_are_at_least_six_templates() -> None:
    names = {p.name for p in TEMPLATES}
    assert len(TEMPLATES) >= 6
    assert names >= REQUIRED_TEMPLATES, sorted(REQUIRED_TEMPLATES - names)


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_template_front_matter_and_body(path: Path) -> None:
    meta, body = _split(path)
    assert meta.get("doc_type") == "template"
    assert meta.get("language") == "nb"
    assert meta.get("status") == "in_force"
    assert isinstance(meta.get("title"), str) and meta["title"].strip()
    hjemmel = meta.get("hjemmel")
    assert isinstance(hjemmel, list) and hjemmel and all(isinstance(h, str) for h in hjemmel)
    assert PROVISION.search(body), f"{path.name}: the text cites no provision"
    assert re.search(r"^## ", body, re.MULTILINE), f"{path.name}: no ## sections"
    assert "**Mal.**" in body[:600], f"{path.name}: no template notice at the top"
    words = len(body.split())
    assert 300 <= words <= 900, f"{path.name}: {words} words"
