"""A small real corpus and app for the HTTP API tests: our Lovdata and EUR-Lex fixtures plus a
guide with one long section, ingested with the offline embedder into embedded Chroma."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from assistant.server import create_app
from assistant.settings import Settings
from ingest.service import open_ingestor

FIXTURES = Path(__file__).parent / "fixtures"

# Paragraphs of one long section: it is split into several overlapping chunks.
SAKSGANG = [
    f"Steg {i}: {text}"
    for i, text in enumerate(
        [
            "Registrer innsynskravet i sakssystemet samme dag som det kommer inn, med dato og "
            "hvem som har bedt om innsyn, og gi kravet en egen saksreferanse.",
            "Finn dokumentene kravet gjelder, også vedlegg og interne notater, og kontroller at "
            "alle er journalført etter arkivforskriften før vurderingen starter.",
            "Vurder hvert dokument for seg: hovedregelen er innsyn, og unntak krever hjemmel i "
            "lov eller forskrift som nevnes uttrykkelig i svaret til den som ba om innsyn.",
            "Vurder merinnsyn for hvert dokument som kan unntas: innsyn bør gis når hensynet til "
            "offentlig innsyn veier tyngre enn behovet for unntak fra innsyn.",
            "Skriv svaret kort og klart. Et avslag skal oppgi hjemmelen, opplyse om retten til å "
            "klage og om klagefristen på tre uker, og hvem klagen skal sendes til.",
            "Send svaret uten ugrunnet opphold. Krav som ikke er avgjort innen fem arbeidsdager, "
            "regnes som avslått, og den som ba om innsyn kan da klage på avslaget.",
            "Arkiver svaret i saken sammen med kravet og dokumentene, slik at klageinstansen kan "
            "se hva som ble vurdert, og hvilke hjemler kommunen har brukt.",
            "Følg opp klager raskt: kommunen skal vurdere saken på nytt før klagen sendes videre "
            "til statsforvalteren, som avgjør klagen som klageinstans.",
        ],
        start=1,
    )
]

GUIDE = (
    """---
title: "Rettleiar for innsyn i hundeparksaker"
short_title: "Innsynsrettleiaren"
doc_type: guidance
language: nb
---

# Rettleiar for innsyn i hundeparksaker

## 1 Om rettleiaren

Denne rettleiaren gjelder innsynskrav i saker om kommunale hundeparker.

## 2 Saksgang

"""
    + "\n\n".join(SAKSGANG)
    + "\n"
)


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "lovdata" / "lov-2024-03-15-7.md", folder / "hundeparklova.md")
    shutil.copy(FIXTURES / "eurlex" / "widgets_oj.xhtml", folder / "widgets.xhtml")
    (folder / "rettleiar.md").write_text(GUIDE, encoding="utf-8")
    return folder


def api_settings(root: Path, collection: str = "api-test", **server: Any) -> Settings:
    """Settings for a test app: keys off and no rate limits unless the test asks."""
    defaults: dict[str, Any] = {
        "auth": "off",
        "demo_key": False,
        "rate_per_minute_key": 0,
        "rate_per_minute_ip": 0,
    }
    return Settings(
        data_dir=root / "data",
        chroma={"collection": collection},
        server={**defaults, **server},
        retrieval={"eu_aliases": {"2031/77": ["widgetforordningen", "Municipal Widgets Act"]}},
    )


def ingest(settings: Settings, *paths: Path) -> None:
    with open_ingestor(settings) as ingestor:
        report = ingestor.run(list(paths))
    assert not report.failed, report.failed


def build(root: Path, collection: str = "api-test") -> Settings:
    """A data dir with the corpus ingested; returns its settings (keys off)."""
    settings = api_settings(root, collection)
    ingest(settings, write_corpus(root / "corpus"))
    return settings


def wait_ready(client: TestClient, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, client.get("/readyz").json()
        time.sleep(0.05)


@contextmanager
def serve(settings: Settings) -> Iterator[TestClient]:
    """The app for `settings`, started (lifespan) and warmed up."""
    with TestClient(create_app(settings)) as client:
        wait_ready(client)
        yield client


def events(body: str) -> list[tuple[str, str]]:
    """(kind, data) of each Server-Sent Event in a response body."""
    out = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((fields["event"], fields["data"]))
    return out
