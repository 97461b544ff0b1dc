"""Hybrid legal retrieval: explicit references, dense search and BM25, each run per language
partition, fused by weighted reciprocal rank.

Why per partition: a multilingual embedder ranks passages in the question's language above
passages in another language, so a Norwegian question over a mixed index finds no English AI Act
article at all. Each retriever therefore searches the Norwegian and the English sources
separately (the lexical side with the question carried over by the bilingual glossary), and
fusion interleaves the two lists.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from assistant.embeddings import Embedder
from assistant.records import Passage, authority_rank
from assistant.resources import data_folder
from assistant.retrieval.currency import (
    CatalogueFacts,
    Currency,
    EuAct,
    Validity,
    catalogue_facts,
    load_eu_dates,
)
from assistant.retrieval.glossary import Glossary
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.notes import NotesIndex, load_notes
from assistant.retrieval.references import Reference, ReferenceResolver, flat_scope
from assistant.retrieval.rerank import FEATURES, LIST_FEATURES, LIST_GROUP, Reranker
from assistant.retrieval.standards import known_identifiers, unknown_standards
from assistant.retrieval.subjects import SubjectLaw, SubjectLaws
from assistant.retrieval.text import question_language
from assistant.settings import Settings
from assistant.store import VectorStore

log = logging.getLogger(__name__)
T = TypeVar("T")

FAMILIES = ("no", "en")
# Questions about when a rule applies, and the headings of the provisions that say so.
_WHEN = re.compile(
    r"(?i)\b(i kraft|ikraft\w*|trer i kraft|til å gjelde|gjeld(?:er)? (?:fra|frå|allerede|"
    r"alt|nå|no)|fra når|frå når|når gjeld|allerede|ennå|enno|in force|apply yet|applies from|"
    r"apply from|already apply|when do|when does|yet\b|from when)"
)
_COMMENCEMENT = re.compile(
    r"(?i)(ikraft\w*|i kraft|entry into force|and application|overgangs\w*|tek til å gjelde)"
)
# Questions about whether a rule still or already applies: both versions of an act matter.
_CURRENCY_QUESTION = re.compile(
    r"(?i)\b(fortsatt|framleis|fremdeles|still|lenger|longer|opphev\w*|repeal\w*|"
    r"erstat\w*|replace\w*|valid|gyldig\w*)\b"
)
# A question about the new (adopted, not yet in force) version itself.
_NEW_VERSION = re.compile(
    r"(?i)\b(nye?|nya|new|nyare|nyere|kommende|kommande|upcoming|vedtatt|vedteke|vedtekne|"
    r"adopted|20[2-9]\d)\b"
)
# Questions about what a word means in the law: "hva regnes som et KI-system", "kva er
# skilnaden på å deponere og å avlevere", "is the municipality a 'deployer'".
_DEFINITION_QUESTION = re.compile(
    r"(?i)\b(hva regnes\b[^.?!]{0,40}\bsom|hva menes med|hva betyr|"
    r"hva er (?:egentlig )?(?:en|et|ei) \w+\?|kva (?:er|vert|blir) rekna som|kva meiner ein med|"
    r"kva tyder|kva er (?:eigentleg )?(?:ein|eit|ei) \w+\?|"
    # "kva meiner den nye arkivlova med dokumentasjon?"
    r"(?:hva|kva)\s+(?:mener|meiner)\s+(?!du\b|dere\b|de\b|dykk\b|vi\b|eg\b|jeg\b)"
    r"(?:[\w-]+\s+){1,4}?med\b|"
    r"forskjellen (?:på|mellom)|skilnaden (?:på|mellom)|"
    r"definisjon\w*|what counts as|what is meant by|what does .{1,40} mean|difference between|"
    r"defin(?:e|ed|ition)\w*|"
    # "er dette det GDPR kaller pseudonymisering?", "what the AI Act calls a deployer"
    r"(?:det|what)\s+(?:[\w-]+\s+){1,3}?(?:kaller|kallar|kalla|calls|refers to as)\b)"
    r"|['‘«\"][\w][\w -]{2,30}['’»\"]"
)
# Questions about a time limit: "hvor lang tid har vi", "kva er klagefristen", "how long do we
# have to respond", "within how many hours must we notify".
_DEADLINE_QUESTION = re.compile(
    r"(?i)\b(\w*frist\w*|how long\b|deadlines?\b|time limits?\b|(?:hvor|kor) lang tid|"
    r"(?:hvor|kor) lenge|"
    r"how (?:many|much) (?:days|weeks|hours|months|time)|how (?:quickly|soon|fast)|by when|"
    r"(?:hvor|kor) (?:raskt|fort|snart|mange (?:dagar|dager|timar|timer|veker|uker))|"
    r"(?:innen|innan) (?:hvor|kor|når)|within (?:how|what))"
)
_NUMBER = (
    r"(?:\d+|en|ett|ei|ein|eit|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|tolv|fjorten|"
    r"one|two|three|four|five|six|seven|eight|ten|twelve|fourteen|thirty|further)"
)
# A passage that sets a time limit: "innen tre uker", "72 timer", "within one month", "without
# undue delay", "fristen for ..."
_TIME_LIMIT = re.compile(
    r"(?i)\b(?:" + _NUMBER + r"\s+(?:(?:virke|arbeids|kalender)?(?:dager|dagar|døgn|timer|timar|"
    r"uker|veker|måneder|månader|månad|måned|år)|(?:working |calendar )?(?:days?|hours?|weeks?|"
    r"months?|years?))|\w*frist\w*|time limits?|deadlines?|uten ugrunnet opphold|"
    r"utan ugrunna opphald|without undue delay|snarest mulig|snarast råd|straks)\b"
)
# Provisions that define terms: "§ 2 Definisjonar", "Article 3 Definitions", "§ 2 Begreper",
# and glossaries: "7 Ordforklaringer".
_DEFINITION_HEADER = re.compile(
    r"(?i)\b(definisjon\w*|definitions?|begreper|omgrep|ordforklaring\w*|ordliste|glossary)\b"
)
_LANGS = {"no": ["nb", "nn"], "en": ["en"]}
NATIONAL = ""
# How often the retriever asks the store whether its content changed. Between two checks it
# answers from the index it holds (texts, metadata, BM25 and, up to dense_in_memory_max
# chunks, the vectors); a store that cannot be reached at a check fails the request (503).
STORE_CHECK_S = 2.0


def is_currency_question(question: str) -> bool:
    """Does the question ask whether or from when a rule applies?"""
    return bool(_WHEN.search(question) or _CURRENCY_QUESTION.search(question))


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval. Empty tuples mean no restriction, except for tenants: retrieval
    always sees the national layer (tenant "") and only the tenants named here — so the
    default sees the national layer alone.

    `as_of`: the date the question is about (default today); what is in force then ranks first
    and the answer warns about what is not.
    """

    doc_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    as_of: date | None = None

    @classmethod
    def for_tenant(cls, tenant: str | None, **kwargs: Any) -> Filters:
        """The national layer plus `tenant` (None or "": the national layer only)."""
        return cls(tenants=(tenant,) if tenant else (), **kwargs)

    @property
    def visible_tenants(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((NATIONAL, *self.tenants)))

    @property
    def day(self) -> date:
        return self.as_of or date.today()

    def where(self) -> dict[str, Any]:
        clauses: dict[str, Any] = {}
        for key, values in (
            ("doc_type", self.doc_types),
            ("source_id", self.sources),
            ("tenant", self.visible_tenants),
        ):
            if values:
                clauses[key] = {"$in": list(values)}
        return clauses

    def allows(self, meta: Mapping[str, Any]) -> bool:
        return all(
            not values or str(meta.get(key, "")) in values
            for key, values in (
                ("doc_type", self.doc_types),
                ("source_id", self.sources),
                ("language", self.languages),
                ("tenant", self.visible_tenants),
            )
        )


@dataclass
class _Found:
    """What the first stage found for one question, as the second stage's features read it."""

    dense: Mapping[str, list[tuple[int, float]]]
    lexical: Mapping[str, list[tuple[int, float]]]
    lists: Sequence[tuple[float, Sequence[int], str]]
    named: set[str]
    implied: set[str]
    referenced: set[int]
    validity: Mapping[int, Validity]


@dataclass
class Retrieval:
    question: str
    language: str
    passages: list[Passage]
    references: list[Reference] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    best_dense: float = 0.0
    best_lexical: float = 0.0
    # the question's embedding, as searched (read by the answerability scorer)
    vector: npt.NDArray[np.float32] | None = field(default=None, repr=False, compare=False)
    # the index these positions and passages come from: what answers from this retrieval must
    # use, even if the store has moved on to a new generation meanwhile (a re-ingest)
    index: LexicalIndex | None = field(default=None, repr=False, compare=False)
    # laws the question names that are not among the sources, and whether it also names one
    # that is (a law or an EU act)
    unknown_laws: list[str] = field(default_factory=list)
    names_known_law: bool = False
    # standards the question names by number or version that no source mentions ("WCAG 2.2")
    unknown_standards: list[str] = field(default_factory=list)
    # laws that govern a subject the question names ("eiendomsskatt") and are not among the
    # sources, and whether the question also touches what the sources cover
    absent_subjects: list[SubjectLaw] = field(default_factory=list)
    covered: bool = True
    # the fused candidates the second stage looked at (index positions, in fused order) and
    # their features, for training it (evals.train_rerank)
    candidates: list[int] = field(default_factory=list, repr=False)
    features: npt.NDArray[np.float64] | None = field(default=None, repr=False, compare=False)


class Retriever:
    """Retrieves ranked passages for a question. Cheap to construct; opens the lexical index on
    first use and reloads it whenever the store's generation changes."""

    def __init__(self, settings: Settings, store: VectorStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.glossary = Glossary.load(data_folder("knowledge") / "glossary.yaml")
        self.subjects = SubjectLaws.load(data_folder("knowledge") / "subject-laws.yaml")
        self.notes = load_notes(data_folder("knowledge") / "provision-notes")
        self._index: LexicalIndex | None = None
        # what is derived from the current index (resolvers, currency, links, columns), by name
        self._derived: dict[tuple[str, ...], tuple[LexicalIndex, Any]] = {}
        self._facts: tuple[list[EuAct], list[CatalogueFacts]] | None = None
        self._reranker: Reranker | Literal[False] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- the lexical index, kept in step with the store --------------------------------------

    def index(self) -> LexicalIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked < STORE_CHECK_S:
            return self._index
        with self._lock:
            info = self.store.index_info()
            generation = info.generation if info else ""
            self._checked = now
            if self._index is not None and self._index.generation == generation:
                return self._index
            try:
                loaded = self._load(generation)
            except Exception:
                if self._index is None:
                    raise
                # the store changed but its new content could not be read (another process
                # still writing, say): keep answering from the index in memory, which is
                # whole, and try again at the next check
                log.warning(
                    "could not load index generation %s; still answering from %s",
                    generation or "(none)",
                    self._index.generation or "(none)",
                    exc_info=True,
                )
                return self._index
            self._index = loaded
            self._derived = {}
            return loaded

    def _load(self, generation: str) -> LexicalIndex:
        """The lexical index of this generation: the saved one, else built from the store (and
        saved for the next process, when the store has a generation stamp)."""
        path = self.settings.lexical_path
        seen = _stat(path)
        loaded = LexicalIndex.load(path)
        limit = self.settings.retrieval.dense_in_memory_max
        if loaded is None or loaded.generation != generation or not generation:
            loaded = LexicalIndex.from_store(self.store, generation, limit)
            # not over a file another process (an ingest) saved meanwhile: it may be newer
            if generation and _stat(path) == seen:
                try:
                    loaded.save(path)
                except OSError as exc:  # only a cache for the next process: answer anyway
                    log.warning("could not save the lexical index to %s: %s", path, exc)
        if loaded.vectors is not None and not 0 < len(loaded) <= limit:
            loaded.vectors = None  # this process is set to search the store instead
        return loaded

    def _derive(self, key: tuple[str, ...], index: LexicalIndex, build: Callable[[], T]) -> T:
        """What `build` derives from `index`, kept while `index` is the current one. A request
        still on the previous index (a re-ingest meanwhile) gets its own, and caches nothing."""
        cached = self._derived.get(key)
        if cached is not None and cached[0] is index:
            value: T = cached[1]
            return value
        value = build()
        if index is self._index:
            self._derived[key] = (index, value)
        return value

    def related(self, index: LexicalIndex) -> dict[str, set[str]]:
        """Each law's regulations and each regulation's law (`legal_basis_links`), for `index`."""
        return self._derive(
            ("related",), index, lambda: legal_basis_links(index, self.resolver(index=index))
        )

    def _gdpr_norwegian(self, index: LexicalIndex) -> set[str]:
        """The sources of `index` that carry the GDPR's Norwegian text ("Artikkel 35")."""
        return {d.source_id for d in self.resolver(index=index).gdpr_norwegian()}

    def notes_index(self, index: LexicalIndex) -> NotesIndex:
        """The provision notes that match provisions of `index`, searchable (notes.py)."""
        return self._derive(
            ("notes",), index, lambda: NotesIndex(self.notes, index, self._gdpr_norwegian(index))
        )

    def note_vectors(self, index: LexicalIndex) -> NotesIndex:
        """The notes of `index` with their vectors (embedded once, or read from the cache)."""
        notes = self.notes_index(index)
        if not notes.vectors:  # the lock only while they are missing, not on every question
            with self._lock:
                if not notes.vectors:
                    self._embed_notes(notes)
        return notes

    def _embed_notes(self, notes: NotesIndex) -> None:
        """Embed the notes, through the data dir's embedding cache (a connection of its own:
        this may run on any of the server's threads)."""
        from ingest.cache import EmbeddingCache  # the ingest side keeps the cache

        try:
            cache: EmbeddingCache | None = EmbeddingCache(self.settings.cache_path)
        except Exception as exc:  # only a cache: embed them all
            log.warning("could not open the embedding cache for the notes: %s", exc)
            cache = None
        try:
            notes.embed(self.embedder, cache)
        finally:
            if cache is not None:
                cache.close()

    def _provision_keys(self, index: LexicalIndex) -> list[tuple[str, str]]:
        def build() -> list[tuple[str, str]]:
            return provision_keys(index, self._gdpr_norwegian(index))

        return self._derive(("provision_keys",), index, build)

    def resolver(
        self, tenants: Sequence[str] = (NATIONAL,), index: LexicalIndex | None = None
    ) -> ReferenceResolver:
        """Law names, abbreviations and labels of the documents these tenants can see (a
        tenant's question never resolves to another tenant's document), in `index` (default:
        the current one)."""
        index = index or self.index()
        key = tuple(sorted(set(tenants)))
        r = self.settings.retrieval

        def build() -> ReferenceResolver:
            docs = [d for d in index.docs.values() if d.tenant in key]
            return ReferenceResolver(docs, r.eu_aliases, r.law_aliases, r.document_names)

        with self._lock:
            return self._derive(("resolver", *key), index, build)

    def _standards(self, index: LexicalIndex) -> frozenset[str]:
        """The standards the sources name (`assistant.retrieval.standards`)."""
        with self._lock:
            return self._derive(
                ("standards",),
                index,
                lambda: known_identifiers(index.texts, (d.url for d in index.docs.values())),
            )

    def currency(self, index: LexicalIndex | None = None) -> Currency:
        """Which version applies when (`assistant.retrieval.currency`), for `index` (default:
        the current one)."""
        index = index or self.index()
        with self._lock:
            if self._facts is None:
                knowledge = data_folder("knowledge")
                self._facts = (
                    load_eu_dates(knowledge / "eu-application-dates.yaml"),
                    catalogue_facts(knowledge / "sources.yaml"),
                )
            eu, catalogue = self._facts
            return self._derive(
                ("currency",), index, lambda: Currency(index.metas, index.texts, eu, catalogue)
            )

    def warm_up(self) -> None:
        self.embedder.warm_up()
        index = self.index()
        self.currency(index)
        self._standards(index)
        self.related(index)
        if self.notes and self.settings.retrieval.weight_notes_dense > 0:
            self.note_vectors(index)

    # -- retrieval ---------------------------------------------------------------------------

    def retrieve(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        rerank: bool = True,
    ) -> Retrieval:
        """The ranked passages for `question`. With `rerank` False the second stage's features
        are still computed (for learning its weights, evals.train_rerank) but its weights are
        neither loaded nor applied: the fused order stands."""
        filters = filters or Filters()
        r = self.settings.retrieval
        k = k or r.k
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        index = self.index()
        lang = question_language(question)
        allowed = self._allowed(index, filters)
        resolver = self.resolver(filters.visible_tenants, index)
        refs = resolver.resolve(question)
        ref_positions = [
            i
            for ref in refs
            for i in index.by_label.get((ref.source_id, ref.label), [])
            if allowed[i]
        ]
        timings["references"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        sentences = _question_sentences(question) if r.weight_sentences > 0 else []
        sentence_vectors = [self.embedder.embed_query(s) for s in sentences]
        vector = self.embedder.embed_query(question)
        timings["embed"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        similar = Similarity(index)  # each vector's similarities computed once
        vectors = {fam: vector for fam in FAMILIES}
        other = "no" if lang == "en" else "en"
        # each partition's query, carried over by the glossary, built once: searched by BM25
        # (whole index and scoped), read by the second stage
        queries = self._queries(question, lang, index)
        carried = queries[other]
        if r.dense_carry_over and carried != question:
            # the question carried over by the glossary, embedded for the other partition
            vectors[other] = self.embedder.embed_query(carried)
        dense = {
            fam: self._dense(index, vectors[fam], fam, filters, r.candidates, allowed, similar)
            for fam in FAMILIES
        }
        sentence_lists = [
            (
                fam,
                [i for i, _ in self._dense(index, v, fam, filters, r.candidates, allowed, similar)],
            )
            for v in sentence_vectors
            for fam in FAMILIES
        ]
        timings["dense"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        lexical = {fam: index.search(queries[fam], fam, r.candidates, allowed) for fam in FAMILIES}
        timings["lexical"] = time.perf_counter() - t3

        weights = self._partition_weights(lang, dense)
        lists: list[tuple[float, list[int], str]] = []
        if ref_positions:
            lists.append((r.weight_reference, ref_positions, "reference"))
        t4 = time.perf_counter()
        named_groups, implied_groups = resolver.scope_groups(question, r.act_topics)
        named, implied = flat_scope(named_groups, implied_groups)
        links = self.related(index) if r.weight_related > 0 else {}
        related = {x for source in named for x in links.get(source, ())} - named
        # several laws or acts named: each searched apart as well, so that the one the
        # question says most about does not fill the scoped lists alone
        apart = (
            [(set(g), r.weight_named) for g in named_groups]
            if r.scoped_apart and len(named_groups) > 1
            else []
        )
        for ids, weight in (
            (named, r.weight_named),
            (implied, r.weight_topic),
            (related, r.weight_related),
            *apart,
        ):
            if ids and weight > 0:
                for ranked in self._scoped(index, queries, vector, ids, allowed, filters, similar):
                    lists.append((weight, ranked, "scoped"))
        timings["scoped"] = time.perf_counter() - t4
        lists += self._intent_lists(index, question, named | implied, allowed, vector, similar)
        lists += self._note_lists(index, queries, lang, vector, allowed)
        for fam in FAMILIES:
            w = weights[fam]
            lists.append((r.weight_dense * w, [i for i, _ in dense[fam]], "dense"))
            lists.append((r.weight_lexical * w, [i for i, _ in lexical[fam]], "lexical"))
        for fam, ranked_ids in sentence_lists:
            lists.append((r.weight_sentences * weights[fam], ranked_ids, "dense-sentence"))
        fused = _preamble_last(_rrf(lists, r.rrf_k), index, r.weight_preamble, set(ref_positions))
        fused = [(i, s) for i, s in fused if allowed[i]]  # every list is filtered; stay sure
        currency = self.currency(index)
        tenants = frozenset(filters.visible_tenants)
        validity = {i: self._validity(currency, index, i, filters.day, tenants) for i, _ in fused}
        if not (is_currency_question(question) or _NEW_VERSION.search(question)):
            fused = _prefer_current(fused, validity, r.weight_not_in_force, set(ref_positions))
        fused = _authority_order(fused, index, r.authority_tiebreak)
        candidates: list[int] = []
        features: npt.NDArray[np.float64] | None = None
        if r.rerank_depth > 0 and fused:
            t5 = time.perf_counter()
            candidates = [i for i, _ in fused[: r.rerank_depth]]
            features = self._features(
                index,
                lang,
                queries,
                fused[: r.rerank_depth],
                _Found(dense, lexical, lists, named, implied, set(ref_positions), validity),
                {fam: similar(vectors[fam]) for fam in FAMILIES}
                if index.vectors is not None
                else None,
            )
            reranker = self.reranker() if rerank else None
            if reranker is not None:
                head = fused[: r.rerank_depth]
                # the order changes, the fused scores stay what they were
                fused = [head[j] for j in reranker.order(features)] + fused[r.rerank_depth :]
            timings["rerank"] = time.perf_counter() - t5
        fused = _diversify(
            fused, self._provision_keys(index), index.languages, "en" if lang == "en" else "no"
        )
        scores = {
            "dense": {i: s for fam in FAMILIES for i, s in dense[fam]},
            "lexical": {i: s for fam in FAMILIES for i, s in lexical[fam]},
            "reference": {i: 1.0 for i in ref_positions},
        }
        fused = _mix_sources(fused, index, r.top_sources)
        passages = [
            self._passage(index, i, score, scores, validity[i], currency, tenants)
            for i, score in fused[:k]
        ]
        # subjects governed by laws the sources do not hold ("eiendomsskatt")
        absent = self.subjects.absent(question, lambda name: bool(resolver.laws_in(name)))
        timings["total"] = time.perf_counter() - t0
        return Retrieval(
            question=question,
            language=lang,
            passages=passages,
            references=refs,
            timings=timings,
            best_dense=max((s for fam in FAMILIES for _, s in dense[fam]), default=0.0),
            best_lexical=max((s for fam in FAMILIES for _, s in lexical[fam]), default=0.0),
            vector=vector,
            index=index,
            unknown_laws=resolver.unknown_laws(question),
            unknown_standards=unknown_standards(question, self._standards(index)),
            names_known_law=bool(named),
            absent_subjects=absent,
            covered=bool(named or ref_positions)
            or (
                bool(implied or self.subjects.covered(question, absent))
                and not self.subjects.asked_outside(question, absent)
            ),
            candidates=candidates,
            features=features,
        )

    def reranker(self) -> Reranker | None:
        """The second stage's scorer (settings.retrieval.rerank_weights, else the shipped
        knowledge/rerank.json); None when no weights file exists."""
        with self._lock:
            if self._reranker is None:
                configured = self.settings.retrieval.rerank_weights
                path = Path(configured) if configured else data_folder("knowledge") / "rerank.json"
                if configured or path.is_file():
                    self._reranker = Reranker.load(path)
                else:
                    log.warning("no reranker weights at %s: the fused order stands", path)
                    self._reranker = False
            return self._reranker or None

    def _chunk_tokens(self, index: LexicalIndex, i: int) -> tuple[frozenset[str], frozenset[str]]:
        """The analysed tokens of chunk i's heading, and of its heading and text (kept per
        index as candidates come up)."""
        cache: dict[int, tuple[frozenset[str], frozenset[str]]] = self._derive(
            ("chunk_tokens",), index, dict
        )
        got = cache.get(i)
        if got is None:
            meta = index.metas[i]
            lang = str(meta.get("language", "nb"))
            heading = f"{meta.get('heading_path', '')} {meta.get('header', '')}"
            head = frozenset(index.sentence_tokens(heading, lang))
            got = (head, head | frozenset(index.sentence_tokens(index.texts[i], lang)))
            cache[i] = got
        return got

    def _features(
        self,
        index: LexicalIndex,
        lang: str,
        queries: Mapping[str, str],
        head: Sequence[tuple[int, float]],
        found: _Found,
        similarity: Mapping[str, npt.NDArray[np.float32]] | None,
    ) -> npt.NDArray[np.float64]:
        """The second stage's features (rerank.FEATURES, in order) of the fused candidates."""
        own = "en" if lang == "en" else "no"
        query: dict[str, dict[str, float]] = {}
        for fam in FAMILIES:
            tokens = set(index.sentence_tokens(queries[fam], "en" if fam == "en" else "nb"))
            query[fam] = {t: index.idf(t) for t in tokens}
        dense = {fam: dict(found.dense[fam]) for fam in FAMILIES}
        best_dense = {fam: max(dense[fam].values(), default=0.0) for fam in FAMILIES}
        lexical = {fam: dict(found.lexical[fam]) for fam in FAMILIES}
        best_lexical = {fam: max(lexical[fam].values(), default=0.0) for fam in FAMILIES}
        membership: Counter[int] = Counter()
        # per kind of list, each passage's best (lowest) rank in any list of that kind
        best_at: list[dict[int, int]] = [{} for _ in LIST_FEATURES]
        for _w, items, name in found.lists:
            membership.update(set(items))
            if name in LIST_GROUP:
                at = best_at[LIST_GROUP[name]]
                for rank, i in enumerate(items):
                    at[i] = min(rank, at.get(i, rank))
        n_lists = max(len(found.lists), 1)
        top = head[0][1] if head and head[0][1] > 0 else 1.0
        rows = []
        for rank, (i, score) in enumerate(head):
            fam = str(index.languages[i])
            if similarity is not None:
                sim = float(similarity[fam][i])
            else:
                sim = dense[fam].get(i, min(dense[fam].values(), default=0.0))
            weights = query[fam]
            total = sum(weights.values()) or 1.0
            heading_tokens, all_tokens = self._chunk_tokens(index, i)
            meta = index.metas[i]
            rows.append(
                [
                    score / top,
                    1.0 / (1.0 + rank),
                    sim,
                    sim - best_dense[fam],
                    lexical[fam].get(i, 0.0) / best_lexical[fam] if best_lexical[fam] > 0 else 0.0,
                    membership[i] / n_lists,
                    sum(w for t, w in weights.items() if t in heading_tokens) / total,
                    sum(w for t, w in weights.items() if t in all_tokens) / total,
                    float(index.sources[i] in found.named),
                    float(index.sources[i] in found.implied),
                    float(i in found.referenced),
                    float(fam != own),
                    float(meta.get("kind") in _PREAMBLE_KINDS),
                    authority_rank(str(meta.get("doc_type", ""))) / 8.0,
                    float(not found.validity[i].applies),
                    *(10.0 / (10.0 + at[i]) if i in at else 0.0 for at in best_at),
                ]
            )
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))

    def _scoped(
        self,
        index: LexicalIndex,
        queries: Mapping[str, str],
        vector: npt.NDArray[np.float32],
        sources: set[str],
        allowed: npt.NDArray[np.bool_],
        filters: Filters,
        similar: Similarity | None = None,
    ) -> list[list[int]]:
        """Dense and lexical rankings within the sources the question names or implies
        (`queries`: each partition's lexical query, from _queries)."""
        k = self.settings.retrieval.candidates
        in_scope = np.isin(index.sources, sorted(sources)) & allowed
        out: list[list[int]] = []
        if index.vectors is not None:
            out.append([i for i, _ in _top((similar or Similarity(index))(vector), in_scope, k)])
        else:
            # within the sources the question names, and within the source filter if any
            scope = sorted(s for s in sources if not filters.sources or s in filters.sources)
            if scope:
                where = dict(filters.where())
                where["source_id"] = {"$in": scope}
                hits = self.store.query(vector, k, where)
                out.append([index.position[h.id] for h in hits if h.id in index.position])
        for fam in FAMILIES:
            mask = in_scope & (index.languages == fam)
            if mask.any():
                out.append([i for i, _ in index.search(queries[fam], fam, k, mask)])
        return out

    def _intent_lists(
        self,
        index: LexicalIndex,
        question: str,
        scope: set[str],
        allowed: npt.NDArray[np.bool_],
        vector: npt.NDArray[np.float32],
        similar: Similarity | None = None,
    ) -> list[tuple[float, list[int], str]]:
        """Provisions a kind of question asks for, whatever its words: the entry-into-force
        provisions for "when does it apply", the definitions for "what counts as"."""
        r = self.settings.retrieval
        out: list[tuple[float, list[int], str]] = []
        if _WHEN.search(question):
            commencement = self._commencement(index, scope, allowed)
            if commencement:
                out.append((r.weight_reference, commencement, "commencement"))
        if r.weight_deadline > 0 and _DEADLINE_QUESTION.search(question):
            deadlines = self._deadlines(index, scope, allowed, vector, similar)
            if deadlines:
                out.append((r.weight_deadline, deadlines, "deadline"))
        if r.weight_definition > 0 and _DEFINITION_QUESTION.search(question):
            definitions = self._definitions(index, scope, allowed, vector, similar)
            if definitions:
                out.append((r.weight_definition, definitions, "definition"))
        return out

    def _note_lists(
        self,
        index: LexicalIndex,
        queries: Mapping[str, str],
        lang: str,
        vector: npt.NDArray[np.float32],
        allowed: npt.NDArray[np.bool_],
    ) -> list[tuple[float, list[int], str]]:
        """The provisions whose plain-language notes match the question, in its own language:
        by BM25 over the notes and by the notes' dense similarity to the question."""
        r = self.settings.retrieval
        if not self.notes or (r.weight_notes <= 0 and r.weight_notes_dense <= 0):
            return []
        notes = self.note_vectors(index) if r.weight_notes_dense > 0 else self.notes_index(index)
        own = "en" if lang == "en" else "no"
        out: list[tuple[float, list[int], str]] = []
        if r.weight_notes > 0:
            noted = notes.search(queries[own], own, r.candidates, allowed)
            if noted:
                out.append((r.weight_notes, noted, "notes"))
        if r.weight_notes_dense > 0:
            noted = notes.search_dense(vector, own, r.candidates, allowed)
            if noted:
                out.append((r.weight_notes_dense, noted, "notes-dense"))
        return out

    def _commencement(
        self, index: LexicalIndex, sources: set[str], allowed: npt.NDArray[np.bool_]
    ) -> list[int]:
        """The entry-into-force provisions of the sources in scope, for questions about when a
        rule applies ("gjelder forbudene allerede?", "is the act in force yet?")."""
        in_scope = np.flatnonzero(np.isin(index.sources, sorted(sources)) & allowed)
        return [
            int(i) for i in in_scope if _COMMENCEMENT.search(str(index.metas[i].get("header", "")))
        ]

    def _marked(
        self, index: LexicalIndex, pattern: re.Pattern[str], in_header: bool
    ) -> npt.NDArray[np.bool_]:
        """Which chunks `pattern` finds in, in their heading or in their text; worked out once
        per index."""

        def build() -> npt.NDArray[np.bool_]:
            if in_header:
                texts = [str(meta.get("header", "")) for meta in index.metas]
            else:
                texts = index.texts
            return np.array([bool(pattern.search(t)) for t in texts], dtype=bool)

        return self._derive(("marked", pattern.pattern, str(in_header)), index, build)

    def _closest_in_scope(
        self,
        index: LexicalIndex,
        marked: npt.NDArray[np.bool_],
        sources: set[str],
        vector: npt.NDArray[np.float32],
        similar: Similarity | None = None,
    ) -> list[int]:
        """The `marked` passages in the sources in scope, or in every source when the question
        names none, closest to the question first (ties in index order)."""
        if sources:
            marked = marked & np.isin(index.sources, sorted(sources))
        found = [int(i) for i in np.flatnonzero(marked)]
        if index.vectors is not None and found:
            scores = (similar or Similarity(index))(vector)
            found.sort(key=lambda i: -float(scores[i]))
        return found[: self.settings.retrieval.candidates]

    def _deadlines(
        self,
        index: LexicalIndex,
        sources: set[str],
        allowed: npt.NDArray[np.bool_],
        vector: npt.NDArray[np.float32],
        similar: Similarity | None = None,
    ) -> list[int]:
        """The passages that set a time limit ("innen tre uker", "within one month"), for
        questions about how long one has."""
        marked = allowed & self._marked(index, _TIME_LIMIT, in_header=False)
        return self._closest_in_scope(index, marked, sources, vector, similar)

    def _definitions(
        self,
        index: LexicalIndex,
        sources: set[str],
        allowed: npt.NDArray[np.bool_],
        vector: npt.NDArray[np.float32],
        similar: Similarity | None = None,
    ) -> list[int]:
        """The provisions that define terms ("§ 2 Definisjonar", "Article 3 Definitions"), for
        questions about what a word means."""
        marked = allowed & self._marked(index, _DEFINITION_HEADER, in_header=True)
        return self._closest_in_scope(index, marked, sources, vector, similar)

    def _partition_weights(
        self, lang: str, dense: Mapping[str, list[tuple[int, float]]]
    ) -> dict[str, float]:
        """How much each language partition counts, from how well its best passage matches.

        Rank fusion ignores scores, so a partition with nothing relevant would still put its top
        passages near the top. The best dense similarity of each partition says which one holds
        the answer; similarities across languages run lower by about `cross_lingual_offset`, so
        that much is added before comparing. A partition well behind the best one fades out.
        """
        r = self.settings.retrieval
        own = "en" if lang == "en" else "no"
        best = {
            fam: max((s for _, s in dense[fam]), default=0.0)
            + (0.0 if fam == own else r.cross_lingual_offset)
            for fam in FAMILIES
        }
        top = max(best.values())
        return {
            fam: (1.0 if fam == own else r.weight_other_language)
            * math.exp((best[fam] - top) / r.partition_temperature)
            for fam in FAMILIES
        }

    def _allowed(self, index: LexicalIndex, filters: Filters) -> npt.NDArray[np.bool_]:
        """The chunks these filters let through: always only the visible tenants'."""
        columns = self._column_arrays(index)
        out = np.isin(columns["tenant"], list(filters.visible_tenants))
        for key, values in (
            ("doc_type", filters.doc_types),
            ("source_id", filters.sources),
            ("language", filters.languages),
        ):
            if values:
                out &= np.isin(columns[key], list(values))
        return out

    def _column_arrays(self, index: LexicalIndex) -> dict[str, npt.NDArray[np.str_]]:
        names = ("tenant", "doc_type", "source_id", "language")
        return self._derive(
            ("columns",),
            index,
            lambda: {
                n: np.array([str(m.get(n, "")) for m in index.metas], dtype=str) for n in names
            },
        )

    @staticmethod
    def _validity(
        currency: Currency, index: LexicalIndex, i: int, day: date, tenants: frozenset[str]
    ) -> Validity:
        return currency.validity(i, str(index.metas[i].get("section", "")), day, tenants)

    def best_in_source(
        self, question: str, source_id: str, tenant: str, filters: Filters | None = None
    ) -> Passage | None:
        """The passage of one source that matches the question best (BM25), e.g. the section
        of the version in force that answers what a not-yet-in-force text was quoted for."""
        filters = filters or Filters()
        if tenant not in filters.visible_tenants:
            return None
        index = self.index()
        columns = self._column_arrays(index)
        mask = (columns["source_id"] == source_id) & (columns["tenant"] == tenant)
        if not mask.any():
            return None
        first = int(np.flatnonzero(mask)[0])
        family = "en" if index.languages[first] == "en" else "no"
        query = self._query_for(question, question_language(question), family, index)
        hits = index.search(query, family, 1, mask)
        if not hits:
            return None
        i = hits[0][0]
        currency = self.currency(index)
        tenants = frozenset(filters.visible_tenants)
        return self._passage(
            index,
            i,
            0.0,
            {},
            self._validity(currency, index, i, filters.day, tenants),
            currency,
            tenants,
        )

    def _queries(self, question: str, lang: str, index: LexicalIndex) -> dict[str, str]:
        """The question's lexical query for each language partition (_query_for)."""
        return {fam: self._query_for(question, lang, fam, index) for fam in FAMILIES}

    def _query_for(self, question: str, lang: str, family: str, index: LexicalIndex) -> str:
        """The question for one partition, carried over by the glossary across languages.

        A Norwegian question's own partition also gets the other Norwegian forms of a term the
        question writes in a way no Norwegian source does ("DPIA" for "vurdering av
        personvernkonsekvenser"): BM25 could not match that word at all."""
        g = self.glossary
        concepts = g.concepts(question, family)
        if family == "en" and lang != "en":
            return " ".join([question, *g.to_english(question), *concepts])
        if family == "no" and lang == "en":
            carried = " ".join([question, *g.to_norwegian(question), *concepts])
            return " ".join([carried, *g.other_norwegian(carried)])
        if family == "no":
            unknown = g.norwegian_for_unknown(question, index.vocab.known)
            return " ".join([question, *g.other_norwegian(question), *unknown, *concepts])
        return " ".join([question, *g.english_synonyms(question), *concepts])

    def _dense(
        self,
        index: LexicalIndex,
        vector: npt.NDArray[np.float32],
        family: str,
        filters: Filters,
        k: int,
        allowed: npt.NDArray[np.bool_],
        similar: Similarity | None = None,
    ) -> list[tuple[int, float]]:
        """The k chunks of one language partition closest to `vector`: exact search over the
        vectors in memory when the index holds them, else a filtered query to the store."""
        langs = [x for x in _LANGS[family] if not filters.languages or x in filters.languages]
        if not langs:
            return []
        if index.vectors is not None:
            scores = (similar or Similarity(index))(vector)
            return _top(scores, allowed & (index.languages == family), k)
        where = dict(filters.where())
        where["language"] = {"$in": langs}
        hits = self.store.query(vector, k, where)
        return [
            (index.position[h.id], float(h.score or 0.0)) for h in hits if h.id in index.position
        ]

    def _passage(
        self,
        index: LexicalIndex,
        i: int,
        score: float,
        scores: Mapping[str, Mapping[int, float]],
        validity: Validity,
        currency: Currency,
        tenants: frozenset[str],
    ) -> Passage:
        p = Passage.from_store(index.ids[i], index.texts[i], index.metas[i], score)
        p.scores = {name: float(s[i]) for name, s in scores.items() if i in s}
        # the status on the question's date, not the one at ingest
        p.status = validity.state
        p.status_date = validity.since.isoformat() if validity.since else None
        if validity.applicable is not None:
            p.applicable_source_id = validity.applicable[1]
        p.version = currency.version_label((p.tenant, p.source_id), tenants)
        return p


def _top(
    scores: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_], k: int
) -> list[tuple[int, float]]:
    """The k best (position, score) pairs among the positions `mask` lets through."""
    positions = np.flatnonzero(mask)
    if k <= 0 or positions.size == 0:
        return []
    within = scores[positions]
    n = positions.size
    best = np.argpartition(-within, k - 1)[:k] if k < n else np.arange(n)
    best = best[np.argsort(-within[best], kind="stable")]
    return [(int(positions[j]), float(within[j])) for j in best]


def _diversify(
    ranked: list[tuple[int, float]],
    keys: Sequence[tuple[str, str]],
    languages: Sequence[str] | npt.NDArray[np.str_] | None = None,
    own: str = "",
) -> list[tuple[int, float]]:
    """One passage per provision first; further chunks of a provision follow after.

    Long sections have several chunks that tend to score alike, and the GDPR is indexed twice
    (in Norwegian inside personopplysningsloven, and in English); without this they fill the
    top of the list and push other relevant provisions out of view. `keys[i]` names the
    provision chunk i belongs to, the same for both renditions of an article. When a
    provision's best chunk is in the other language and a rendition in the question's language
    (`own`, by `languages[i]`) was retrieved too, that rendition takes the place.
    """
    first: list[tuple[int, float]] = []
    later: list[tuple[int, float]] = []
    seen: set[tuple[str, str]] = set()
    used: set[int] = set()
    for pos, (i, score) in enumerate(ranked):
        if i in used:
            continue
        if keys[i] in seen:
            later.append((i, score))
            continue
        seen.add(keys[i])
        pick = (i, score)
        if languages is not None and own and languages[i] != own:
            for j, _ in ranked[pos + 1 :]:
                if keys[j] == keys[i] and languages[j] == own and j not in used:
                    pick = (j, score)
                    later.append((i, score))
                    break
        used.add(pick[0])
        first.append(pick)
    return first + later


def _mix_sources(
    ranked: list[tuple[int, float]], index: LexicalIndex, window: int
) -> list[tuple[int, float]]:
    """When the first `window` passages all come from one source, the best passage from any
    other source takes the last place in that window.

    Many questions need a law and the regulation made under it, or a rule and the guidance
    that explains it; a single long source otherwise fills every place a reader looks at.
    """
    if window <= 1 or len(ranked) <= window:
        return ranked
    head = {index.sources[i] for i, _ in ranked[:window]}
    if len(head) > 1:
        return ranked
    for pos in range(window, len(ranked)):
        if index.sources[ranked[pos][0]] not in head:
            moved = ranked[pos]
            return [*ranked[: window - 1], moved, *ranked[window - 1 : pos], *ranked[pos + 1 :]]
    return ranked


_ARTICLE_LABEL = re.compile(r"^(?:Article|Artikkel) (\d+)$")


class Similarity:
    """Dense similarity of every chunk in memory to a query vector, computed once per vector
    for one retrieval: the question's vector serves both language partitions, the scoped
    searches and the definitions, a sentence's vector both partitions."""

    def __init__(self, index: LexicalIndex) -> None:
        self.index = index
        self._seen: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]] = []

    def __call__(self, vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        for seen, scores in self._seen:
            if seen is vector:  # held here, so no other array can take its identity
                return scores
        scores = self.index.dense_scores(vector)
        self._seen.append((vector, scores))
        return scores


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def provision_keys(index: LexicalIndex, gdpr_norwegian: set[str]) -> list[tuple[str, str]]:
    """The provision of each chunk: (source, section), except that an EU article and its
    Norwegian rendition share ("2016/679", "Article 35")."""
    keys: list[tuple[str, str]] = []
    for meta in index.metas:
        source = str(meta.get("source_id", ""))
        section = str(meta.get("section", ""))
        m = _ARTICLE_LABEL.match(section)
        if m and source in gdpr_norwegian:
            keys.append(("2016/679", f"Article {m.group(1)}"))
        elif m and meta.get("doc_type") == "eu_regulation" and meta.get("abbreviation"):
            keys.append((str(meta["abbreviation"]), f"Article {m.group(1)}"))
        else:
            keys.append((source, section))
    return keys


def legal_basis_links(
    index: LexicalIndex, resolver: ReferenceResolver, least: int = 5, share: float = 0.5
) -> dict[str, set[str]]:
    """Which regulation is given under which law, both ways, read from the regulations' own
    text: a regulation names the law it implements again and again ("etter arkivlova § 5").
    A law counts when a regulation names it at least `least` times and at least `share` as
    often as the law it names most (a regulation under forvaltningsloven that refers to
    offentleglova twice is not linked to it). Laws with one name in two versions (the old and
    the new forvaltningsloven) are both linked. The catalogue gives no legal-basis field."""
    kinds = {d.source_id: d.doc_type for d in index.docs.values()}
    counts: dict[str, Counter[str]] = {}
    for meta, text in zip(index.metas, index.texts, strict=True):
        source = str(meta.get("source_id", ""))
        if kinds.get(source) != "regulation":
            continue
        tally = counts.setdefault(source, Counter())
        for _, ids in resolver.laws_in(text):
            tally.update(i for i in ids if kinds.get(i) == "law")
    links: dict[str, set[str]] = {}
    for regulation, tally in counts.items():
        top = max(tally.values(), default=0)
        for law, n in tally.items():
            if n >= least and n >= share * top:
                links.setdefault(regulation, set()).add(law)
                links.setdefault(law, set()).add(regulation)
    return links


_QUESTION_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«\"])")


def _question_sentences(question: str) -> list[str]:
    """The situation of a question told in several sentences: every sentence but the last (the
    question proper, which the whole question's vector already carries). Embedding the
    situation on its own finds the provisions about the facts of the case; embedding the last
    sentence as well cost as much again and did worse (docs/benchmarks.md, Retrieval)."""
    parts = [p.strip() for p in _QUESTION_SPLIT.split(question.strip()) if len(p.strip()) > 15]
    return parts[:-1] if len(parts) > 1 else []


_PREAMBLE_KINDS = frozenset({"recital", "preamble"})


def _preamble_last(
    ranked: list[tuple[int, float]], index: LexicalIndex, factor: float, referenced: set[int]
) -> list[tuple[int, float]]:
    """Recitals and preambles explain the rules but are not rules: a case worker needs the
    article or § first. Their fused score is scaled by `factor`, unless the question refers to
    them explicitly ("recital 12")."""
    if factor >= 1.0:
        return ranked
    out = [
        (
            i,
            s * factor
            if i not in referenced and index.metas[i].get("kind") in _PREAMBLE_KINDS
            else s,
        )
        for i, s in ranked
    ]
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def _prefer_current(
    ranked: list[tuple[int, float]],
    validity: Mapping[int, Validity],
    factor: float,
    referenced: set[int],
) -> list[tuple[int, float]]:
    """What is in force on the question's date comes first: the fused score of a text that is
    not yet in force, or repealed, is scaled by `factor`. It stays findable (a question about
    the new law still finds it), unless the question refers to it explicitly, in which case it
    keeps its score."""
    if factor >= 1.0:
        return ranked
    out = [
        (i, s * factor if i not in referenced and not validity[i].applies else s) for i, s in ranked
    ]
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def _authority_order(
    ranked: list[tuple[int, float]], index: LexicalIndex, step: float
) -> list[tuple[int, float]]:
    """Authority as a tie-breaker: law > regulation > EU regulation > circular > guidance >
    template. Scores are scaled by at most 1 + 7 * `step` (a small factor), so only near-ties
    change places."""
    if step <= 0:
        return ranked
    out = [
        (i, s * (1.0 + step * (8 - authority_rank(str(index.metas[i].get("doc_type", ""))))))
        for i, s in ranked
    ]
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def _rrf(lists: Sequence[tuple[float, Sequence[int], str]], k: int) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: sum of weight / (k + rank) over the lists."""
    totals: dict[int, float] = {}
    for weight, items, _name in lists:
        if weight <= 0:
            continue
        for rank, i in enumerate(items, start=1):
            totals[i] = totals.get(i, 0.0) + weight / (k + rank)
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


__all__ = ["NATIONAL", "Filters", "Retrieval", "Retriever", "is_currency_question"]
