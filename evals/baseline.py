"""The baseline: the plain LangChain RAG tutorial pipeline, shown beside Regelrett in reports.

Pipeline, as the tutorial has it:
1. plain text per file: PDF text per page with pypdf (the page number kept as metadata, as
   `PyPDFLoader` does); XHTML/HTML/XML the visible text via lxml; Markdown and text as they are;
2. `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`;
3. a Chroma vector store through `langchain-chroma`, with the same embedder as Regelrett (our
   `Embedder` wrapped as a LangChain `Embeddings`, so queries and passages are embedded the way
   the embedder defines); the collection has no embedding function of Chroma's own, every
   vector comes from our embedder;
4. dense top-k similarity search. No reranking, no lexical search, no refusal, no answer model:
   the answer is the start of the top chunk.

Fair scoring: the tutorial's chunks know nothing of sections, so the scorer could never credit
them with "§ 28". To judge retrieval and not structure, each chunk is given, at index time, the
labels of the sections whose text overlaps it: the file is also parsed with Regelrett's
`load_document`, each section's text is located in the plain text (matched on letters and
digits only, so whitespace, hyphenation and markup differences do not matter), and a chunk gets
every section it shares at least a few characters with. PDF chunks carry their page. With
that, the baseline is scored by the same rules as Regelrett.

The index is built once per (file list, file contents, embedder, settings) in
`<index_dir>/baseline-<key>/` and reused on later runs; a build that did not finish is removed
and redone.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
import warnings
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any, cast

from langchain_chroma import Chroma
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.embeddings import Embedder
from evals.harness import RunPassage, SystemOutput

BASELINE_NAME = "baseline (LangChain tutorial)"
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
ANSWER_CHARS = 300
# Bump when extraction, chunking or labelling changes, so old indexes are not reused.
INDEX_VERSION = 2  # 2: section labels spelled as the headings spell them ("§ 4c")
COLLECTION = "baseline"
READY_FILE = "READY.json"
ADD_BATCH = 64
# A chunk gets a section's label when they share this many letters/digits (or all of a
# shorter section).
MIN_OVERLAP = 20

# Progress: (stage, done, total), stage "extract" counts files, "embed" counts chunks.
ProgressFn = Callable[[str, int, int], None]


class EmbedderEmbeddings(Embeddings):
    """Our `Embedder` as LangChain `Embeddings`: passages and queries as the embedder does them."""

    def __init__(self, embedder: Embedder, batch_size: int = 16) -> None:
        self.embedder = embedder
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = self.embedder.embed_passages(texts[start : start + self.batch_size])
            out.extend(cast(list[list[float]], batch.tolist()))
        return out

    def embed_query(self, text: str) -> list[float]:
        return cast(list[float], self.embedder.embed_query(text).tolist())


# --- plain text --------------------------------------------------------------------------------


@dataclass
class TextSegment:
    """Plain text of a file, or of one PDF page (1-based physical page index)."""

    text: str
    page: int | None = None


_HIDDEN = {"script", "style", "head", "noscript", "template", "title", "meta", "link"}
_HTML_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot",
    "tr", "ul",
}  # fmt: skip
_HTML_CELL = {"td", "th"}
# Formex and other XML: elements are blocks except these inline ones.
_XML_INLINE = {"ht", "date", "quot.start", "quot.end", "ft", "ref.doc.oj", "no.doc", "fam.comp"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")
_BLANKS = re.compile(r"\n{3,}")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _markup_text(root: Any, is_block: Callable[[str], bool]) -> str:
    """Visible text of an element tree, a blank line between blocks, a line per <br>."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        name = _local(el.tag)
        if name and name not in _HIDDEN:
            if name == "br":
                parts.append("\n")
            sep = "\n\n" if is_block(name) else " " if name in _HTML_CELL else ""
            parts.append(sep)
            if el.text:
                parts.append(_SPACES.sub(" ", el.text.replace("\n", " ")))
            for child in el:
                walk(child)
            parts.append(sep)
        if el.tail:
            parts.append(_SPACES.sub(" ", el.tail.replace("\n", " ")))

    walk(root)
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("latin-1")


def _html_text(data: bytes) -> str:
    import lxml.html

    text = _XML_DECL.sub("", _decode(data), count=1)
    root = lxml.html.document_fromstring(text)
    return _markup_text(root, lambda name: name in _HTML_BLOCK)


def _xml_text(data: bytes) -> str:
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(data, parser)
    if root is None:
        return ""
    if _local(root.tag) == "html":
        return _markup_text(root, lambda name: name in _HTML_BLOCK)
    return _markup_text(root, lambda name: name not in _XML_INLINE)


def _pdf_segments(data: bytes) -> list[TextSegment]:
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        return [
            TextSegment(page.extract_text() or "", number)
            for number, page in enumerate(reader.pages, start=1)
        ]


def extract_segments(data: bytes, name: str) -> list[TextSegment]:
    """The tutorial's plain text of one file: per page for PDFs, one segment otherwise."""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".pdf" or data[:1024].lstrip().startswith(b"%PDF-"):
        return _pdf_segments(data)
    if suffix in {".html", ".htm", ".xhtml"}:
        return [TextSegment(_html_text(data))]
    if suffix == ".xml":
        return [TextSegment(_xml_text(data))]
    return [TextSegment(_decode(data))]


# --- section labels by overlap -----------------------------------------------------------------


@dataclass
class _Span:
    label: str
    start: int  # in the letters-and-digits key of the file's plain text
    end: int


def _key(text: str) -> tuple[str, list[int]]:
    """Case-folded letters and digits of `text`, and the offset in `text` of each of them."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isalnum():
            folded = ch.casefold()
            chars.append(folded)
            offsets.extend([i] * len(folded))
    return "".join(chars), offsets


def _find(hay: str, needle: str, cursor: int) -> int:
    """First occurrence at or after cursor, else anywhere (loaders may reorder a little)."""
    pos = hay.find(needle, cursor)
    return pos if pos >= 0 else hay.find(needle)


def _locate(hay: str, skey: str, block_keys: Sequence[str], cursor: int) -> tuple[int, int | None]:
    """(start, end or None when only the start was found) of one section's text, or (-1, None)."""
    pos = _find(hay, skey, cursor)
    if pos >= 0:
        return pos, pos + len(skey)
    for n in (200, 80, 40):
        if len(skey) <= n:
            continue
        pos = _find(hay, skey[:n], cursor)
        if pos < 0:
            continue
        tail = hay.find(skey[-n:], pos)
        if tail >= 0 and tail + n - pos <= 2 * len(skey) + 500:
            return pos, tail + n
        return pos, None
    for bkey in block_keys:
        head = bkey[:80]
        if len(head) >= 20:
            pos = _find(hay, head, cursor)
            if pos >= 0:
                return pos, None
    return -1, None


def locate_sections(doc_sections: Iterable[Any], hay: str) -> list[_Span]:
    """Where each section of a parsed document stands in the key of the plain text."""
    found: list[tuple[str, int, int | None, int]] = []
    cursor = 0
    for sec in doc_sections:
        skey = _key(sec.text)[0]
        if len(skey) < 4:
            continue
        blocks = [_key(b.text)[0] for b in sec.blocks[:5]]
        start, end = _locate(hay, skey, blocks, cursor)
        if start < 0:
            continue
        found.append((sec.label, start, end, len(skey)))
        cursor = end if end is not None else start + 1
    found.sort(key=lambda f: f[1])
    spans: list[_Span] = []
    for i, (label, start, end, length) in enumerate(found):
        if end is None:
            # Only the start was found: the section runs for its own length, at most up to
            # the next located section.
            nxt = found[i + 1][1] if i + 1 < len(found) else len(hay)
            end = min(start + length, max(nxt, start + 1))
        if label:
            spans.append(_Span(label, start, end))
    return spans


def labels_for(spans: Sequence[_Span], start: int, end: int) -> tuple[str, list[str]]:
    """(main label, all labels in document order) of the sections overlapping [start, end)."""
    best, best_overlap = "", 0
    labels: list[str] = []
    for span in spans:
        overlap = min(end, span.end) - max(start, span.start)
        if overlap <= 0 or overlap < min(MIN_OVERLAP, span.end - span.start):
            continue
        if span.label not in labels:
            labels.append(span.label)
        if overlap > best_overlap:
            best, best_overlap = span.label, overlap
    return best, labels


# --- chunking one file -------------------------------------------------------------------------


def _splitter() -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)


def _section_spans(data: bytes, source: str, hay: str) -> list[_Span]:
    from ingest.loaders import LoadError, load_document

    try:
        doc = load_document(data, source)
    except LoadError:
        return []
    return locate_sections(doc.sections, hay)


def chunk_file(data: bytes, source: str) -> list[LCDocument]:
    """The tutorial chunks of one file, with source, page and overlapping section labels."""
    segments = [s for s in extract_segments(data, source) if s.text.strip()]
    full = "\n\n".join(s.text for s in segments)
    hay, offsets = _key(full)
    spans = _section_spans(data, source, hay)
    splitter = _splitter()
    docs: list[LCDocument] = []
    seg_offset = 0
    for seg in segments:
        prev = -1
        for text in splitter.split_text(seg.text):
            local = seg.text.find(text, prev + 1)
            if local < 0:
                local = seg.text.find(text)
            meta: dict[str, str | int] = {"source": source}
            if seg.page is not None:
                meta["page"] = seg.page
            if local >= 0:
                prev = local
                a = bisect_left(offsets, seg_offset + local)
                b = bisect_left(offsets, seg_offset + local + len(text))
                section, labels = labels_for(spans, a, b)
                meta.update(section=section, section_labels="|".join(labels), start_index=local)
            docs.append(LCDocument(page_content=text, metadata=meta))
        seg_offset += len(seg.text) + 2
    return docs


# --- the system --------------------------------------------------------------------------------


def expand_patterns(corpus_root: Path, patterns: Iterable[str]) -> list[str]:
    """Files under corpus_root matching glob patterns, as sorted relative POSIX paths."""
    found: set[str] = set()
    for pattern in patterns:
        for path in corpus_root.glob(pattern):
            if path.is_file():
                found.add(path.relative_to(corpus_root).as_posix())
    return sorted(found)


def index_key(corpus_root: Path, files: Sequence[str], embedder_id: str) -> str:
    """Names the index: changes when a file, the file list, the embedder or this code changes."""
    h = hashlib.sha256()
    head = {"v": INDEX_VERSION, "embedder": embedder_id, "size": CHUNK_SIZE, "olap": CHUNK_OVERLAP}
    h.update(json.dumps(head, sort_keys=True).encode())
    for rel in sorted(files):
        path = corpus_root / rel
        if not path.is_file():
            raise FileNotFoundError(f"baseline corpus file not found: {path}")
        h.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def _client(path: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    return chromadb.PersistentClient(path=str(path), settings=settings)


class LangChainBaseline:
    """The LangChain tutorial RAG over the given files; implements `EvalSystem`.

    `index_dir` is the parent folder: the index lives in `index_dir/baseline-<key>/`.
    """

    name = BASELINE_NAME

    def __init__(
        self,
        corpus_root: str | Path,
        files: Sequence[str],
        embedder: Embedder,
        index_dir: str | Path,
        k: int = 10,
        progress: ProgressFn | None = None,
    ) -> None:
        self.corpus_root = Path(corpus_root)
        self.files = sorted(dict.fromkeys(PurePosixPath(f).as_posix() for f in files))
        self.embedder = embedder
        self.k = k
        self.key = index_key(self.corpus_root, self.files, embedder.id)
        self.path = Path(index_dir) / f"baseline-{self.key}"
        self.skipped: list[tuple[str, str]] = []  # (file, reason) for files with no text
        self.built = False  # True when this construction built the index (not reused)
        ready = self.path / READY_FILE
        if self.path.exists() and not ready.is_file():
            shutil.rmtree(self.path)  # an unfinished build
        self._client = _client(self.path)
        self._store = Chroma(
            collection_name=COLLECTION,
            embedding_function=EmbedderEmbeddings(embedder),
            client=self._client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        if ready.is_file():
            info = json.loads(ready.read_text("utf-8"))
            self.skipped = [(f, r) for f, r in info.get("skipped", [])]
            self.chunks = int(info["chunks"])
        else:
            self.chunks = self._build(progress)
            self.built = True

    def _build(self, progress: ProgressFn | None) -> int:
        docs: list[LCDocument] = []
        for done, rel in enumerate(self.files, start=1):
            data = (self.corpus_root / rel).read_bytes()
            try:
                file_docs = chunk_file(data, rel)
            except Exception as exc:  # a broken file: the baseline skips it, as a tutorial would
                self.skipped.append((rel, f"{type(exc).__name__}: {exc}"))
                file_docs = []
            else:
                if not file_docs:
                    self.skipped.append((rel, "no text"))
            docs.extend(file_docs)
            if progress is not None:
                progress("extract", done, len(self.files))
        for start in range(0, len(docs), ADD_BATCH):
            batch = docs[start : start + ADD_BATCH]
            self._store.add_documents(
                batch, ids=[f"c{i:07d}" for i in range(start, start + len(batch))]
            )
            if progress is not None:
                progress("embed", start + len(batch), len(docs))
        info = {
            "chunks": len(docs),
            "files": self.files,
            "skipped": self.skipped,
            "embedder": self.embedder.id,
            "chunk_size": CHUNK_SIZE,
            "chunk_overlap": CHUNK_OVERLAP,
        }
        (self.path / READY_FILE).write_text(json.dumps(info, indent=1), "utf-8")
        return len(docs)

    def retrieve(self, question: str, k: int | None = None) -> list[RunPassage]:
        docs = self._store.similarity_search(question, k=k or self.k)
        return [_passage(d) for d in docs]

    def run(self, question: str, lang: str) -> SystemOutput:
        t0 = time.perf_counter()
        passages = self.retrieve(question)
        answer = passages[0].text[:ANSWER_CHARS] if passages else ""
        return SystemOutput(passages, False, answer, [], time.perf_counter() - t0)

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> LangChainBaseline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _passage(doc: LCDocument) -> RunPassage:
    meta = doc.metadata
    page = meta.get("page")
    page_no = int(page) if isinstance(page, int | float) and not isinstance(page, bool) else None
    labels = [x for x in str(meta.get("section_labels") or "").split("|") if x]
    return RunPassage(
        source=str(meta.get("source", "")),
        section=str(meta.get("section") or ""),
        section_labels=labels,
        page_start=page_no,
        page_end=page_no,
        text=doc.page_content,
    )


__all__ = [
    "BASELINE_NAME",
    "EmbedderEmbeddings",
    "LangChainBaseline",
    "ProgressFn",
    "TextSegment",
    "chunk_file",
    "expand_patterns",
    "extract_segments",
    "index_key",
    "labels_for",
    "locate_sections",
]
