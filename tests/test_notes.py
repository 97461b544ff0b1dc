"""Provision notes (assistant.retrieval.notes, knowledge/provision-notes): loading, matching
notes to the provisions of an index, searching them, and the shipped notes' own checks."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.notes import NotesIndex, load_notes
from assistant.store.base import StoredChunk
from ingest.cache import EmbeddingCache

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "knowledge" / "provision-notes"
CORPUS = Path(os.environ.get("REGELRETT_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))


def _write(folder: Path, name: str, data: object) -> None:
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _index() -> LexicalIndex:
    eu = {"doc_type": "eu_regulation", "language": "en"}
    gdpr_title = "Regulation (EU) 2016/679 (General Data Protection Regulation)"
    chunks = [
        StoredChunk(
            "0",
            "Organet skal gi innsyn i saksdokument.",
            {"source_id": "lover/lov-2006-05-19-16.md", "section": "§ 3", "language": "nn"},
        ),
        StoredChunk(
            "1",
            "Teieplikt gjeld for opplysningar om personlege forhold.",
            {"source_id": "lover/lov-2006-05-19-16.md", "section": "§ 13", "language": "nn"},
        ),
        StoredChunk(
            "2",
            "Behandlingsansvarlig skal bruke databehandler.",
            {"source_id": "lover/lov-2018-06-15-38.md", "section": "Artikkel 28", "language": "nb"},
        ),
        StoredChunk(
            "3",
            "The controller shall use only processors.",
            {**eu, "source_id": "gdpr/gdpr.xhtml", "section": "Article 28", "title": gdpr_title},
        ),
        StoredChunk(
            "4",
            "The controller shall keep records.",
            {**eu, "source_id": "gdpr/gdpr.xhtml", "section": "Article 30", "title": gdpr_title},
        ),
    ]
    return LexicalIndex(chunks)


NOTES = {
    "offl.yaml": {
        "document": "lov-2006-05-19-16",
        "notes": [
            {
                "section": "§ 13",
                "nb": "Når brevet forteller om sykdom og helse hos en bruker, "
                "og en journalist vil lese det.",
                "en": "A letter about a client's illness that a journalist wants to read.",
            },
            {"section": "§ 99", "nb": "Finnes ikke.", "en": "Does not exist."},
        ],
    },
    "gdpr.yaml": {
        "document": "2016/679",
        "notes": [
            {
                "section": "Article 28",
                "nb": "Leverandøren drifter appen i sin egen sky for oss.",
                "en": "The vendor runs the app in its own cloud for us.",
            },
        ],
    },
}


@pytest.fixture()
def notes_dir(tmp_path: Path) -> Path:
    for name, data in NOTES.items():
        _write(tmp_path, name, data)
    return tmp_path


def test_notes_load_in_file_order(notes_dir: Path) -> None:
    notes = load_notes(notes_dir)
    assert [(n.document, n.section) for n in notes] == [
        ("2016/679", "Article 28"),
        ("lov-2006-05-19-16", "§ 13"),
        ("lov-2006-05-19-16", "§ 99"),
    ]
    assert load_notes(notes_dir / "absent") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"notes": [{"section": "§ 1", "nb": "a", "en": "b"}]}, "'document'"),
        ({"document": "x", "notes": [{"section": "§ 1", "nb": "a"}]}, "note 1 needs"),
        ({"document": "x", "notes": [{"nb": "a", "en": "b"}]}, "note 1 needs"),
        ({"document": "x", "notes": [{"page": 0, "nb": "a", "en": "b"}]}, "'page' must"),
        ({"document": "x", "notes": [{"page": "2", "nb": "a", "en": "b"}]}, "'page' must"),
    ],
)
def test_a_malformed_notes_file_is_named(tmp_path: Path, data: object, message: str) -> None:
    _write(tmp_path, "bad.yaml", data)
    with pytest.raises(ValueError, match=message):
        load_notes(tmp_path)


def test_notes_match_provisions_by_file_name_and_eu_act_number(notes_dir: Path) -> None:
    index = _index()
    found = NotesIndex(load_notes(notes_dir), index, {"lover/lov-2018-06-15-38.md"})
    by_section = {n.section: t for n, t in zip(found.notes, found.targets, strict=True)}
    # the GDPR note covers both renditions; the note on a section the law lacks is dropped
    assert by_section == {"Article 28": [3, 2], "§ 13": [1]}


def test_a_note_on_a_page_serves_the_chunks_on_that_page(tmp_path: Path) -> None:
    """A PDF part that no heading labels (a list on page 2 of a decision) is noted by page."""
    pdf = {"source_id": "dpia/decision_list.pdf", "section": "", "language": "en"}
    index = LexicalIndex(
        [
            StoredChunk("a", "Postal address.", {**pdf, "page_start": 1, "page_end": 1}),
            StoredChunk("b", "Camera surveillance.", {**pdf, "page_start": 1, "page_end": 2}),
            StoredChunk("c", "Monitoring of staff.", {**pdf, "page_start": 2, "page_end": 2}),
            StoredChunk("d", "Criteria.", {**pdf, "page_start": 3, "page_end": 3}),
            StoredChunk("e", "Other.", {**pdf, "source_id": "x/other.pdf", "page_start": 2}),
        ]
    )
    _write(
        tmp_path,
        "list.yaml",
        {
            "document": "decision_list",
            "notes": [
                {"page": 2, "nb": "Kamera i skolegården.", "en": "Cameras in the schoolyard."},
                {"page": 2, "nb": "Logging av ansattes e-post.", "en": "Logging staff e-mail."},
                {"page": 9, "nb": "Ingen slik side.", "en": "No such page."},
            ],
        },
    )
    found = NotesIndex(load_notes(tmp_path), index)
    assert [(n.page, t) for n, t in zip(found.notes, found.targets, strict=True)] == [
        (2, [1, 2]),
        (2, [1, 2]),
    ]
    everything = np.ones(len(index), dtype=bool)
    assert found.search("logging staff e-mail", "en", 1, everything) == [1, 2]


def test_lay_words_find_the_provision_whose_text_shares_none(notes_dir: Path) -> None:
    index = _index()
    notes = NotesIndex(load_notes(notes_dir), index, {"lover/lov-2018-06-15-38.md"})
    everything = np.ones(len(index), dtype=bool)
    question = "En journalist vil lese brevet om sykdommen til brukeren"
    assert not {"journalist", "sykdom"} & set(index.sentence_tokens(index.texts[1], "nn"))
    assert notes.search(question, "no", 5, everything)[0] == 1
    # an English question finds the Norwegian section through its English note
    assert notes.search("a journalist wants the letter", "en", 5, everything) == [1]
    # a Norwegian question finds both renditions of the article
    assert notes.search("leverandøren drifter det i skyen", "no", 5, everything) == [3, 2]
    # only what the filters allow
    allowed = everything.copy()
    allowed[3] = False
    assert notes.search("leverandøren drifter det i skyen", "no", 5, allowed) == [2]
    assert notes.search("ingenting som passer", "no", 5, everything) == []


# -- the shipped notes --------------------------------------------------------------------------


def test_the_shipped_notes_load_and_keep_to_their_length() -> None:
    notes = load_notes(SHIPPED)
    assert len(notes) >= 300
    # a provision has one note; a page of a PDF that no heading labels may have several, and
    # so may an annex that lists separate cases (the AI Act's high-risk uses, Annex III)
    keys = [
        (n.document, n.section, n.page)
        for n in notes
        if n.page is None and not n.section.startswith("Annex")
    ]
    assert len(keys) == len(set(keys)), "a provision has two notes"
    for n in notes:
        for lang, text in n.texts.items():
            assert len(text.split()) <= 70, f"{n.document} {n.section} {lang}: too long"


def _corpus_sections() -> dict[str, tuple[set[str], str, set[int]]]:
    """Each eval-corpus document's section labels, text and pages with text, by the name
    notes use for it."""
    from ingest.loaders import load_document

    files = {
        "2016/679": CORPUS / "gdpr" / "GDPR_Regulation_2016-679_EN_OJ.xhtml",
        "2024/1689": CORPUS / "eu-ai-act" / "AI_Act_Regulation_2024-1689_EN_OJ.xhtml",
    }
    for path in sorted((CORPUS / "lovdata-markdown").glob("*/*.md")):
        files[path.stem] = path
    for path in sorted((CORPUS / "arkivverket-noark5").glob("*.pdf")):
        files[path.stem] = path
    for path in sorted((CORPUS / "dpia-guidance").glob("*")):
        files[path.stem] = path
    out = {}
    for name, path in files.items():
        doc = load_document(path.read_bytes(), path.name)
        pages = {b.page for s in doc.sections for b in s.blocks if b.page is not None and b.text}
        out[name] = (set(doc.labels), " ".join(s.text for s in doc.sections), pages)
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus (../shared/corpus) is absent")
def test_every_shipped_note_names_a_provision_of_the_corpus_in_its_own_words() -> None:
    sections = _corpus_sections()
    words = re.compile(r"\w+")
    for n in load_notes(SHIPPED):
        assert n.document in sections, f"{n.document}: not a document of the eval corpus"
        labels, text, pages = sections[n.document]
        assert not n.section or n.section in labels, f"{n.document}: no provision {n.section!r}"
        assert n.page is None or n.page in pages, f"{n.document}: no text on page {n.page}"
        source = " ".join(words.findall(text.lower()))
        for lang, note in n.texts.items():
            tokens = words.findall(note.lower())
            # written in our words: no run of eight words copied from the legal text
            for k in range(len(tokens) - 7):
                run = " ".join(tokens[k : k + 8])
                assert run not in source, f"{n.document} {n.section} {lang}: copies {run!r}"


class _WordsEmbedder:
    """A bag-of-words stand-in for the embedder: a note and a question that share words are
    close. Counts its calls."""

    id = "words-test"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def embed_query(self, text: str) -> np.ndarray:
        self.calls += 1
        v = np.zeros(self.dim, dtype=np.float32)
        for w in re.findall(r"\w+", text.lower()):
            v[sum(map(ord, w)) % self.dim] += 1.0
        return v


def test_notes_are_searched_by_their_vectors_and_embedded_once(
    notes_dir: Path, tmp_path: Path
) -> None:
    index = _index()
    gdpr = {"lover/lov-2018-06-15-38.md"}
    embedder = _WordsEmbedder()
    notes = NotesIndex(load_notes(notes_dir), index, gdpr)
    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    notes.embed(embedder, cache)  # type: ignore[arg-type]
    assert embedder.calls == 2 * len(notes)  # each note in both languages
    everything = np.ones(len(index), dtype=bool)
    question = embedder.embed_query("The vendor runs the app in its own cloud")
    assert notes.search_dense(question, "en", 1, everything) == [3, 2]
    question = embedder.embed_query("journalist brevet sykdom")
    assert notes.search_dense(question, "no", 1, everything) == [1]
    # another process: the vectors come from the cache, not from the embedder
    again = NotesIndex(load_notes(notes_dir), index, gdpr)
    before = embedder.calls
    again.embed(embedder, EmbeddingCache(tmp_path / "cache.sqlite3"))  # type: ignore[arg-type]
    assert embedder.calls == before
    assert all(np.array_equal(again.vectors[f], notes.vectors[f]) for f in ("no", "en"))
    # as queries, apart from the chunks' passage vectors of the same embedder
    assert cache.count(f"{embedder.id}#query") == 4 and cache.count(embedder.id) == 0
    # a changed note is embedded anew, and only it: the GDPR note comes from the cache
    _write(
        notes_dir,
        "offl.yaml",
        {
            "document": "lov-2006-05-19-16",
            "notes": [
                {
                    "section": "§ 13",
                    "nb": "Noen vil se papirene.",
                    "en": "Someone wants the papers.",
                }
            ],
        },
    )
    changed = NotesIndex(load_notes(notes_dir), index, gdpr)
    changed.embed(embedder, cache)  # type: ignore[arg-type]
    assert len(changed) == 2
    assert embedder.calls == before + 2
    assert np.array_equal(changed.vectors["en"][0], notes.vectors["en"][0])  # Article 28
    question = embedder.embed_query("someone wants the papers")
    assert notes.search_dense(question, "en", 1, everything) != [1]
    assert changed.search_dense(question, "en", 1, everything) == [1]


class _BrokenCache:
    def lookup(self, embedder_id: str, hashes: object) -> dict[str, np.ndarray]:
        raise OSError("disk gone")

    def store(self, embedder_id: str, hashes: object, vectors: object) -> None:
        raise OSError("disk gone")


def test_notes_are_embedded_when_the_cache_fails(notes_dir: Path) -> None:
    index = _index()
    embedder = _WordsEmbedder()
    notes = NotesIndex(load_notes(notes_dir), index, {"lover/lov-2018-06-15-38.md"})
    notes.embed(embedder, _BrokenCache())  # type: ignore[arg-type]
    assert embedder.calls == 4
    everything = np.ones(len(index), dtype=bool)
    question = embedder.embed_query("journalist brevet sykdom")
    assert notes.search_dense(question, "no", 1, everything) == [1]
