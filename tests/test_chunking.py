from __future__ import annotations

import itertools

from ingest.chunking import ChunkParams, chunk_document, chunk_header, split_sentences
from ingest.model import Block, Document, Section

LEDD = (
    "Kommunen skal føre tilsyn med hundeparkene. Tilsynet skal skje minst en gang i året. "
    "Funn skal dokumenteres skriftlig og sendes eieren av parken."
)


def _doc(*sections: Section) -> Document:
    return Document(
        source_id="lover/hundeparklova.md",
        title="Lov om kommunale hundeparker (hundeparklova)",
        short_title="Hundeparklova",
        abbreviation="hpl",
        sections=list(sections),
        doc_type="law",
    )


def _section(label: str, n_blocks: int, text: str = LEDD, page: int | None = None) -> Section:
    return Section(
        label=label,
        heading=f"Overskrift {label}",
        path=["Kapittel 1", label],
        blocks=[Block(f"({i + 1}) {text}", page=page) for i in range(n_blocks)],
    )


def test_each_normal_section_is_its_own_chunk_with_provenance() -> None:
    doc = _doc(_section("§ 1", 2), _section("§ 2", 3))
    chunks = chunk_document(doc, ChunkParams(max_chars=1200, overlap_chars=150, min_chars=100))
    assert [c.section_label for c in chunks] == ["§ 1", "§ 2"]
    first = chunks[0]
    assert first.heading_path == "Kapittel 1 > § 1"
    assert first.embed_text.startswith("Hundeparklova (hpl) § 1 Overskrift § 1\n")
    assert first.text in first.embed_text and "Overskrift" not in first.text
    meta = first.metadata()
    assert meta["section"] == "§ 1" and meta["abbreviation"] == "hpl"
    assert meta["doc_type"] == "law" and "page_start" not in meta
    assert all(v is not None for v in meta.values())


def test_long_section_splits_at_ledd_boundaries_with_overlap() -> None:
    doc = _doc(_section("§ 3", 12))
    params = ChunkParams(max_chars=600, overlap_chars=200, min_chars=100)
    chunks = chunk_document(doc, params)
    assert len(chunks) > 2
    assert all(c.section_label == "§ 3" for c in chunks)
    assert all(len(c.text) <= params.max_chars for c in chunks)
    for before, after in itertools.pairwise(chunks):
        # the next chunk starts with the last ledd of the previous one (whole paragraphs)
        last_ledd = before.text.split("\n\n")[-1]
        assert after.text.split("\n\n")[0] == last_ledd
    # every ledd is in some chunk, and whole
    for i in range(12):
        assert any(f"({i + 1}) {LEDD}" in c.text.split("\n\n") for c in chunks)


def test_block_longer_than_a_chunk_splits_at_sentences() -> None:
    long_text = " ".join(
        f"Setning nummer {i} handler om hundeparker i kommunen." for i in range(60)
    )
    doc = _doc(Section("§ 4", "Lang", ["§ 4"], [Block(long_text)]))
    chunks = chunk_document(doc, ChunkParams(max_chars=500, overlap_chars=0, min_chars=0))
    assert len(chunks) >= 5
    assert all(len(c.text) <= 500 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    joined = " ".join(c.text for c in chunks)
    assert joined == long_text


def test_tiny_neighbours_share_a_chunk_but_normal_sections_never_do() -> None:
    tiny_a = Section("§ 5", "(Opphevet)", ["Kapittel 1", "§ 5"], [Block("(Opphevet)")])
    tiny_b = Section("§ 6", "(Opphevet)", ["Kapittel 1", "§ 6"], [Block("(Opphevet)")])
    normal = _section("§ 7", 2)
    tiny_other_chapter = Section("§ 8", "x", ["Kapittel 2", "§ 8"], [Block("Kort.")])
    doc = _doc(tiny_a, tiny_b, normal, tiny_other_chapter)
    chunks = chunk_document(doc, ChunkParams(max_chars=1200, overlap_chars=100, min_chars=200))
    assert [c.section_labels for c in chunks] == [["§ 5", "§ 6"], ["§ 7"], ["§ 8"]]
    assert chunks[0].metadata()["section_labels"] == "§ 5|§ 6"


def test_pages_and_hashes() -> None:
    pdf_section = Section(
        "5.2.2",
        "Tilgangskoder",
        ["5", "5.2", "5.2.2"],
        [Block("Første avsnitt.", page=85), Block("Andre avsnitt.", page=86)],
    )
    doc = _doc(pdf_section)
    (chunk,) = chunk_document(doc, ChunkParams())
    assert (chunk.page_start, chunk.page_end) == (85, 86)
    again = chunk_document(doc, ChunkParams())[0]
    assert again.chunk_id == chunk.chunk_id and again.content_hash == chunk.content_hash
    other_tenant = chunk_document(doc, ChunkParams(), tenant="hamar")[0]
    assert other_tenant.chunk_id != chunk.chunk_id
    assert other_tenant.content_hash == chunk.content_hash


def test_header_without_abbreviation_or_label() -> None:
    doc = Document("a.txt", "Notat om kompetanse", [], short_title=None)
    assert chunk_header(doc, "", "") == "Notat om kompetanse"


def test_split_sentences_keeps_text() -> None:
    text = "Dette er én. Dette er to! Er dette tre? Ja: 4. ledd gjelder."
    assert " ".join(split_sentences(text)) == text


def test_no_chunk_is_a_stray_fragment() -> None:
    """A paragraph number in a block of its own before a long paragraph, and the tail of a
    sentence cut at the chunk size, join their neighbours instead of becoming chunks like
    "1." or "those acts." (which, embedded with the section's header, matched anything)."""
    long_ledd = " ".join([LEDD] * 9)[:1199]
    cut_sentence = "Ord " * 330 + "og slutten."
    doc = _doc(
        Section(
            "Artikkel 28",
            "Databehandler",
            ["Artikkel 28"],
            [Block("1."), Block(long_ledd), Block("nr."), Block(cut_sentence)],
        )
    )
    params = ChunkParams(max_chars=1200, overlap_chars=150, min_chars=200)
    chunks = chunk_document(doc, params)
    assert all(len(c.text) >= 40 for c in chunks), [c.text[:50] for c in chunks]
    text = " ".join(c.text for c in chunks)
    for fragment in ("1.", "nr.", "og slutten."):
        assert fragment in text
    assert chunks[0].text.startswith("1.\n\n")
