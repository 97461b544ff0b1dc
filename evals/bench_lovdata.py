"""Lovdata bulk benchmark: ingest an archive of N laws in Lovdata's XML format, then a daily
refresh of the same archive with a share of the laws changed.

The laws are generated here (our own text, in the structure of Lovdata's `gjeldende-lover`
archive: one `nl/nl-YYYYMMDD-NNN.xml` member per law, a header `dl` with refid, title, short
title and in-force date, chapters as `<section>`, each § an `<article class="legalArticle">`
with `legalP` ledd). Each law is small (a few §§), so the figures show the pipeline's cost per
law and the refresh's cost for what did not change, with the embedder (the slow part) kept to
a few hundred chunks. The tests build their archives with the same functions.
"""

from __future__ import annotations

import io
import random
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

from assistant.settings import Settings

_TOPICS = (
    ("badeplassar", "badeplass", "badevakt", "livbøye"),
    ("leikeplassar", "leikeplass", "leikeapparat", "fallunderlag"),
    ("bibliotek", "bibliotek", "utlån", "lånekort"),
    ("gravplassar", "gravplass", "gravstein", "festeavgift"),
    ("hundeparkar", "hundepark", "hundeeigar", "band"),
    ("ungdomsklubbar", "ungdomsklubb", "klubbleiar", "opningstid"),
    ("kulturhus", "kulturhus", "utleige", "scene"),
    ("skiløyper", "skiløype", "preparering", "lysløype"),
)
_DUTIES = (
    "Kommunen skal kontrollere {a} minst {n} gonger i året og føre logg over kvar kontroll.",
    "Den som har ansvar for {a}, skal melde frå til kommunen om feil innan {n} dagar.",
    "Kommunen kan ta ei avgift for {b} som ikkje er høgare enn {n} prosent av kostnadene.",
    "Før {b} blir teke i bruk, skal kommunen gjere ei risikovurdering og skrive ho ned.",
    "Vedtak etter lova kan klagast på til statsforvaltaren innan {n} veker.",
)


@dataclass(frozen=True)
class SyntheticLaw:
    """One made-up law: its Lovdata member name, refid and XML."""

    member: str
    ref_id: str
    xml: bytes


def lovdata_xml(
    ref_id: str,
    title: str,
    short_title: str,
    in_force: str,
    chapters: Sequence[tuple[str, Sequence[tuple[str, str, Sequence[str]]]]],
) -> bytes:
    """A law in Lovdata's XML: `chapters` is [(chapter heading, [(§ number, title, ledd)])]."""
    legacy = "LOV-" + ref_id.split("/", 1)[1]
    header = (
        '<header class="documentHeader"><dl class="data-document-key-info">'
        f'<dt class="legacyID">Datokode</dt><dd class="legacyID">{legacy}</dd>'
        f'<dt class="dokid">DokumentID</dt><dd class="dokid">NL/{ref_id}</dd>'
        f'<dt class="dateInForce">I kraft fra</dt><dd class="dateInForce">{in_force}</dd>'
        f'<dt class="titleShort">Korttittel</dt><dd class="titleShort">{escape(short_title)}</dd>'
        f'<dt class="title">Tittel</dt><dd class="title">{escape(title)}</dd>'
        f'<dt class="refid">RefID</dt><dd class="refid">{ref_id}</dd></dl></header>'
    )
    body = [f"<h1>{escape(title)}</h1>"]
    for c, (heading, sections) in enumerate(chapters, start=1):
        body.append(
            f'<section class="section" data-name="kap{c}"><h2>Kapittel {c}. {escape(heading)}</h2>'
        )
        for number, name, ledd in sections:
            body.append(
                f'<article class="legalArticle" data-name="§{number}">'
                '<h3 class="legalArticleHeader">'
                f'<span class="legalArticleValue">§ {number}</span>. '
                f'<span class="legalArticleTitle">{escape(name)}</span></h3>'
                + "".join(f'<article class="legalP">{escape(p)}</article>' for p in ledd)
                + "</article>"
            )
        body.append("</section>")
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE html><html lang="nn"><head><title>{escape(title)}</title></head><body>'
        f'{header}<main class="documentBody" id="dokument">{"".join(body)}</main></body></html>'
    )
    return html.encode("utf-8")


def synthetic_law(i: int, revision: int = 0) -> SyntheticLaw:
    """Law number i (stable text for a revision; a new revision changes one §)."""
    rnd = random.Random(i)
    topic, thing, role, gear = _TOPICS[i % len(_TOPICS)]
    day = date(1990, 1, 1) + timedelta(days=(i * 37) % 12000)
    nr = 1 + i % 200
    ref_id = f"lov/{day.isoformat()}-{nr}"
    title = f"Lov om kommunale {topic} i distrikt {i} ({thing}lova {i})"
    short = f"{thing.capitalize()}lova {i}"
    duties = [
        d.format(a=f"{gear} ved {thing}en", b=f"{role}", n=rnd.randint(2, 9)) for d in _DUTIES
    ]
    chapters = [
        (
            "Innleiande føresegner",
            [
                ("1", "Formål", [f"Lova skal sikre at {topic} i distrikt {i} er trygge og opne."]),
                ("2", "Verkeområde", [f"Lova gjeld for {topic} som kommunen eig eller driv."]),
            ],
        ),
        (
            "Plikter",
            [
                ("3", "Kontroll", [duties[0], duties[1]]),
                ("4", "Avgifter", [duties[2]]),
                ("5", "Risikovurdering", [duties[3]]),
                (
                    "6",
                    "Klage",
                    [duties[4] + (f" Endra i revisjon {revision}." if revision else "")],
                ),
            ],
        ),
    ]
    xml = lovdata_xml(ref_id, title, short, "2001-01-01", chapters)
    member = f"nl/nl-{day.strftime('%Y%m%d')}-{nr:03d}.xml"
    return SyntheticLaw(member, ref_id, xml)


def build_archive(path: Path, members: Sequence[tuple[str, bytes]]) -> Path:
    """A .tar.bz2 laid out like Lovdata's bulk files."""
    with tarfile.open(path, "w:bz2") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return path


@dataclass
class BulkFigures:
    laws: int
    chunks: int
    first_seconds: float
    first_embedded: int
    refresh_changed: int
    refresh_seconds: float
    refresh_embedded: int
    unchanged_seconds: float

    @property
    def per_100_laws(self) -> float:
        return self.first_seconds * 100 / self.laws


def run_bulk_bench(
    base: Settings,
    laws: int = 100,
    changed_share: float = 0.01,
    say: Callable[[str], None] = print,
) -> BulkFigures:
    """Ingest an archive of `laws` synthetic laws into a fresh temporary index (embedded
    Chroma, an empty embedding cache, the embedder of `base`), then the same archive with
    `changed_share` of the laws revised, then once more unchanged."""
    from ingest.service import open_ingestor

    work = Path(tempfile.mkdtemp(prefix="regelrett-bench-lovdata-"))
    settings = base.model_copy(
        update={
            "data_dir": work / "data",
            "chroma": base.chroma.model_copy(update={"url": None, "collection": "bench-lovdata"}),
        }
    )
    try:
        archive = work / "gjeldende-lover.tar.bz2"
        members = [synthetic_law(i) for i in range(laws)]
        build_archive(archive, [(m.member, m.xml) for m in members])
        say(f"archive: {laws} laws, {archive.stat().st_size / 1024:.0f} KB")
        with open_ingestor(settings) as ingestor:
            t0 = time.perf_counter()
            first = ingestor.run([archive])
            first_s = time.perf_counter() - t0
            assert not first.failed, first.failed
            chunks = first.chunks_written
            n_changed = max(1, round(laws * changed_share))
            step = max(1, laws // n_changed)
            revised = set(list(range(0, laws, step))[:n_changed])
            refreshed = [synthetic_law(i, 1 if i in revised else 0) for i in range(laws)]
            build_archive(archive, [(m.member, m.xml) for m in refreshed])
            t1 = time.perf_counter()
            refresh = ingestor.run([archive])
            refresh_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            ingestor.run([archive])
            unchanged_s = time.perf_counter() - t2
        return BulkFigures(
            laws=laws,
            chunks=chunks,
            first_seconds=first_s,
            first_embedded=first.chunks_embedded,
            refresh_changed=refresh.count("updated"),
            refresh_seconds=refresh_s,
            refresh_embedded=refresh.chunks_embedded,
            unchanged_seconds=unchanged_s,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def format_figures(f: BulkFigures) -> str:
    return "\n".join(
        [
            f"laws in the archive          {f.laws}",
            f"chunks                       {f.chunks} ({f.chunks / f.laws:.1f} per law)",
            f"first ingest                 {f.first_seconds:.1f} s ({f.first_embedded} embedded)",
            f"  per 100 laws               {f.per_100_laws:.1f} s",
            f"daily refresh, {f.refresh_changed} changed       {f.refresh_seconds:.1f} s "
            f"({f.refresh_embedded} chunks embedded)",
            f"refresh, nothing changed     {f.unchanged_seconds:.2f} s",
        ]
    )


__all__ = [
    "BulkFigures",
    "SyntheticLaw",
    "build_archive",
    "format_figures",
    "lovdata_xml",
    "run_bulk_bench",
    "synthetic_law",
]
