"""Plain-language notes on what each provision settles (knowledge/provision-notes/*.yaml).

A case worker tells a situation ("a journalist wants the letter", "the vendor runs the app in
its cloud"); the provision that settles it speaks of "innsyn", "databehandler". Neither the
dense nor the lexical search bridges that gap reliably. Each note describes, in everyday words
and in bokmål and English, the situations one provision settles; retrieval searches the notes
in the question's language family (BM25, and by each note's vector, embedded once and kept in
the embedding cache) and ranks the provisions whose notes match. A
Norwegian note of an English AI Act article serves a Norwegian question, and an English note of
a Norwegian section an English one, so the notes cross the language gap too.

Notes name their document by file name (`lov-2006-05-19-16`) or, for the EU acts, by act
number (`2016/679`, which also covers the GDPR's Norwegian text, "Artikkel N"), and their
provision by its section label as the heading gives it. A part of a PDF that no numbered heading
labels (a list of processing operations on a page of a supervisory authority's decision) is
named by its `page` (1-based, as the eval format and pypdf count pages) instead, or as well.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

import bm25s
import numpy as np
import numpy.typing as npt
import yaml

from assistant.embeddings import Embedder
from assistant.records import meta_int
from assistant.retrieval.lexical import LexicalIndex, unit_rows
from assistant.retrieval.text import analyse

log = logging.getLogger(__name__)
LANGS = {"no": "nb", "en": "en"}  # language family -> the note text that serves it
_EU_ACT = re.compile(r"^\d{4}/\d{1,4}$")
_ARTICLE = re.compile(r"^Article (\d+)$")


@dataclass(frozen=True)
class Note:
    document: str  # a file name without extension, or an EU act's number ("2016/679")
    section: str  # "§ 13", "Article 35", "Annex III"; "" for a page of a PDF
    texts: dict[str, str]  # "nb" and "en"
    page: int | None = None  # a PDF's page (1-based), for a part no heading labels


def load_notes(folder: Path) -> list[Note]:
    """Every note in the folder's YAML files, in file order; a malformed file raises with its
    name and the note's place."""
    notes: list[Note] = []
    if not folder.is_dir():
        return notes
    for path in sorted(folder.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"cannot read the provision notes {path}: {exc}") from exc
        document = str(raw.get("document") or "").strip()
        if not document:
            raise ValueError(f"{path}: 'document' (a file name or an EU act number) is missing")
        for n, item in enumerate(raw.get("notes") or [], start=1):
            item = item or {}
            section = str(item.get("section") or "").strip()
            texts = {lang: str(item.get(lang) or "").strip() for lang in ("nb", "en")}
            page = item.get("page")
            if page is not None and (
                isinstance(page, bool) or not isinstance(page, int) or page < 1
            ):
                raise ValueError(f"{path}: note {n}: 'page' must be a page number (1 or more)")
            if not (section or page) or not all(texts.values()):
                raise ValueError(
                    f"{path}: note {n} needs a 'section' or a 'page', and both 'nb' and 'en'"
                )
            notes.append(Note(document, section, texts, page))
    return notes


def _documents(index: LexicalIndex, document: str, gdpr_norwegian: set[str]) -> list[str]:
    """The sources a note's document names: by file name, or for an EU act number every
    rendition whose title carries it (and, for the GDPR, its Norwegian text)."""
    out = []
    for doc in index.docs.values():
        stem = PurePosixPath(doc.source_id).stem
        if stem == document or (_EU_ACT.match(document) and document in doc.title):
            out.append(doc.source_id)
    if document == "2016/679":
        out += sorted(gdpr_norwegian)
    return list(dict.fromkeys(out))


def _labels(section: str, source: str, gdpr_norwegian: set[str]) -> list[str]:
    m = _ARTICLE.match(section)
    if m and source in gdpr_norwegian:
        return [f"Artikkel {m.group(1)}"]
    return [section]


def _on_page(meta: Mapping[str, object], page: int) -> bool:
    start = meta_int(meta.get("page_start"))
    if start is None:
        return False
    return start <= page <= (meta_int(meta.get("page_end")) or start)


class VectorCache(Protocol):
    """Where vectors are kept by embedder and text hash (ingest.cache.EmbeddingCache)."""

    def lookup(
        self, embedder_id: str, hashes: Sequence[str]
    ) -> dict[str, npt.NDArray[np.float32]]: ...

    def store(
        self, embedder_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None: ...


class NotesIndex:
    """The notes that match provisions of one lexical index, searchable per language family."""

    def __init__(
        self, notes: Sequence[Note], index: LexicalIndex, gdpr_norwegian: Iterable[str] = ()
    ) -> None:
        gdpr = set(gdpr_norwegian)
        self.index = index
        self.notes: list[Note] = []
        self.targets: list[list[int]] = []  # each kept note's chunk positions
        for note in notes:
            sources = _documents(index, note.document, gdpr)
            if note.section:
                positions = [
                    i
                    for source in sources
                    for label in _labels(note.section, source, gdpr)
                    for i in index.by_label.get((source, label), [])
                ]
            else:
                positions = np.flatnonzero(np.isin(index.sources, sources)).tolist()
            if note.page is not None:
                positions = [i for i in positions if _on_page(index.metas[i], note.page)]
            if positions:
                self.notes.append(note)
                self.targets.append(positions)
        self._bm25: dict[str, bm25s.BM25] = {}
        for family, lang in LANGS.items():
            corpus = [analyse(n.texts[lang], lang, index.vocab) for n in self.notes]
            if any(corpus):
                bm25 = bm25s.BM25()
                bm25.index(corpus, show_progress=False)
                self._bm25[family] = bm25
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}

    def __len__(self) -> int:
        return len(self.notes)

    def embed(self, embedder: Embedder, cache: VectorCache | None = None) -> None:
        """Each note's vector in each language, by the embedder's query embedding (notes and
        questions are alike short). With `cache` (the data dir's embedding cache), each text is
        looked up there first and only the ones missing are embedded and kept, so a process
        embeds a note once, and a new index (an upload that adds a law) embeds only the notes
        it newly matches."""
        texts = [n.texts[lang] for lang in LANGS.values() for n in self.notes]
        if not texts:
            return
        # the same text embedded as a query is not the same vector as embedded as a passage
        key = f"{embedder.id}#query"
        hashes = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        found: dict[str, npt.NDArray[np.float32]] = {}
        if cache is not None:
            try:
                found = cache.lookup(key, sorted(set(hashes)))
            except Exception as exc:  # only a cache: embed them
                log.warning("could not read the notes' vectors from the cache: %s", exc)
        missing = sorted({h for h in hashes if h not in found})
        if missing:
            text_of = dict(zip(hashes, texts, strict=True))
            new = [
                np.asarray(embedder.embed_query(text_of[h]), dtype=np.float32).ravel()
                for h in missing
            ]
            found.update(zip(missing, new, strict=True))
            if cache is not None:
                try:
                    cache.store(key, missing, np.vstack(new))
                except Exception as exc:  # only a cache: answer anyway
                    log.warning("could not keep the notes' vectors in the cache: %s", exc)
        matrix = unit_rows([found[h] for h in hashes])
        n = len(self.notes)
        for k, family in enumerate(LANGS):
            self.vectors[family] = matrix[k * n : (k + 1) * n]

    def search_dense(
        self, vector: npt.NDArray[np.float32], family: str, k: int, allowed: npt.NDArray[np.bool_]
    ) -> list[int]:
        m = self.vectors.get(family)
        if m is None:
            return []
        q = np.asarray(vector, dtype=np.float32).ravel()
        scores = m @ (q / max(float(np.linalg.norm(q)), 1e-12))
        return self._positions(scores, k, allowed, positive=False)

    def _positions(
        self,
        scores: npt.NDArray[np.float32],
        k: int,
        allowed: npt.NDArray[np.bool_],
        positive: bool = True,
    ) -> list[int]:
        out: list[int] = []
        seen: set[int] = set()
        for j in np.argsort(-scores)[:k]:
            if positive and scores[j] <= 0:
                break
            for i in self.targets[int(j)]:
                if allowed[i] and i not in seen:
                    seen.add(i)
                    out.append(i)
        return out

    def search(self, query: str, family: str, k: int, allowed: npt.NDArray[np.bool_]) -> list[int]:
        """Chunk positions of the provisions whose notes match `query` best (BM25 over the
        notes in `family`'s language), best note first, each position once, only `allowed`."""
        bm25 = self._bm25.get(family)
        if bm25 is None:
            return []
        tokens = analyse(query, LANGS[family], self.index.vocab)
        if not tokens:
            return []
        return self._positions(bm25.get_scores(tokens), k, allowed)


__all__ = ["LANGS", "Note", "NotesIndex", "load_notes"]
