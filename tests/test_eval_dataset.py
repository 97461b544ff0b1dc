"""Validates the project's own evaluation sets: evals/datasets/regelrett-nb.jsonl and the
held-out sets evals/datasets/regelrett-heldout.jsonl, regelrett-heldout2.jsonl,
regelrett-heldout3.jsonl, regelrett-heldout4.jsonl, regelrett-heldout5.jsonl,
regelrett-heldout6.jsonl, regelrett-heldout7.jsonl, regelrett-heldout8.jsonl,
regelrett-heldout9.jsonl, regelrett-heldout10.jsonl, regelrett-heldout11.jsonl,
regelrett-heldout12.jsonl, regelrett-heldout13.jsonl and regelrett-heldout14.jsonl, and the
development sets evals/datasets/regelrett-dev6.jsonl, regelrett-dev7.jsonl, regelrett-dev8.jsonl,
regelrett-dev9.jsonl, regelrett-dev10.jsonl, regelrett-dev11.jsonl, regelrett-dev12.jsonl and
regelrett-dev13.jsonl (evals/README.md).

The structural tests always run: the file parses, every item has the fields of the shared eval
format with valid values, the minimum counts per kind and language hold, and no question repeats
one from the shared dev sample (that sample is only a sample of a hidden set, so our own questions
must be new ones). The corpus tests load every gold source with the project's loaders and check
that the gold label (and PDF page) is one the loaders actually produce, so a gold can never point
at a passage the index cannot return.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from ingest.loaders import load_document
from ingest.model import Document

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "evals" / "datasets" / "regelrett-nb.jsonl"
HELDOUT = ROOT / "evals" / "datasets" / "regelrett-heldout.jsonl"
HELDOUT2 = ROOT / "evals" / "datasets" / "regelrett-heldout2.jsonl"
HELDOUT3 = ROOT / "evals" / "datasets" / "regelrett-heldout3.jsonl"
HELDOUT4 = ROOT / "evals" / "datasets" / "regelrett-heldout4.jsonl"
HELDOUT5 = ROOT / "evals" / "datasets" / "regelrett-heldout5.jsonl"
DEV6 = ROOT / "evals" / "datasets" / "regelrett-dev6.jsonl"
HELDOUT6 = ROOT / "evals" / "datasets" / "regelrett-heldout6.jsonl"
DEV7 = ROOT / "evals" / "datasets" / "regelrett-dev7.jsonl"
HELDOUT7 = ROOT / "evals" / "datasets" / "regelrett-heldout7.jsonl"
DEV8 = ROOT / "evals" / "datasets" / "regelrett-dev8.jsonl"
DEV9 = ROOT / "evals" / "datasets" / "regelrett-dev9.jsonl"
HELDOUT8 = ROOT / "evals" / "datasets" / "regelrett-heldout8.jsonl"
DEV10 = ROOT / "evals" / "datasets" / "regelrett-dev10.jsonl"
DEV11 = ROOT / "evals" / "datasets" / "regelrett-dev11.jsonl"
HELDOUT9 = ROOT / "evals" / "datasets" / "regelrett-heldout9.jsonl"
DEV12 = ROOT / "evals" / "datasets" / "regelrett-dev12.jsonl"
DEV13 = ROOT / "evals" / "datasets" / "regelrett-dev13.jsonl"
HELDOUT10 = ROOT / "evals" / "datasets" / "regelrett-heldout10.jsonl"
HELDOUT11 = ROOT / "evals" / "datasets" / "regelrett-heldout11.jsonl"
HELDOUT12 = ROOT / "evals" / "datasets" / "regelrett-heldout12.jsonl"
HELDOUT13 = ROOT / "evals" / "datasets" / "regelrett-heldout13.jsonl"
HELDOUT14 = ROOT / "evals" / "datasets" / "regelrett-heldout14.jsonl"
ALL_SETS = (
    DATASET,
    HELDOUT,
    HELDOUT2,
    HELDOUT3,
    HELDOUT4,
    HELDOUT5,
    DEV6,
    HELDOUT6,
    DEV7,
    HELDOUT7,
    DEV8,
    DEV9,
    HELDOUT8,
    DEV10,
    DEV11,
    HELDOUT9,
    DEV12,
    DEV13,
    HELDOUT10,
    HELDOUT11,
    HELDOUT12,
    HELDOUT13,
    HELDOUT14,
)
_CORPUS = Path(os.environ.get("REGELRETT_TEST_CORPUS", ROOT.parent / "shared" / "corpus"))
DEV_SAMPLE_CANDIDATES = (
    _CORPUS.parent / "evals" / "dev-sample.jsonl",
    ROOT.parent / "shared" / "evals" / "dev-sample.jsonl",
)

REQUIRED_FIELDS = {
    "id": str,
    "question": str,
    "lang": str,
    "answerable": bool,
    "gold": list,
    "answer_facts": list,
    "kind": str,
    "notes": str,
}
LANGS = {"nb", "nn", "en"}
KINDS = {
    "lookup",
    "cross_lingual",
    "multi_source",
    "date_validity",
    "definition",
    "procedure",
    "unanswerable",
    "template_request",
    "abbreviation",
}
MIN_ITEMS = 60
MIN_PER_LANG = {"nb": 30, "nn": 12, "en": 14}
MIN_PER_KIND = {
    "lookup": 16,
    "cross_lingual": 10,
    "abbreviation": 6,
    "unanswerable": 8,
    "date_validity": 6,
    "multi_source": 4,
    "definition": 4,
    "procedure": 4,
    "template_request": 2,
}
UNANSWERABLE_FACTS = ["must say the sources do not cover this"]

AI_XHTML = "eu-ai-act/AI_Act_Regulation_2024-1689_EN_OJ.xhtml"
AI_FORMEX = "eu-ai-act/AI_Act_Regulation_2024-1689_EN_formex.xml"
AI_RENDITIONS = (AI_XHTML, AI_FORMEX)
POPPLYL = "lovdata-markdown/lover/lov-2018-06-15-38.md"
GDPR_EN = (
    "gdpr/GDPR_Regulation_2016-679_EN_OJ.xhtml",
    "gdpr/GDPR_Regulation_2016-679_EN_consolidated.xhtml",
    "gdpr/GDPR_Regulation_2016-679_EN_formex.xml",
)

# The folders of the eval corpus, and the shape of the section labels each one's loader emits.
EU_LABEL = r"(Article \d+|Recital \d+|Annex [IVXLC]+)"
LAW_LABEL = r"(§ \d+(-\d+)?( ?[a-z])?|Artikkel \d+)"
PDF_LABEL = r"((\d+|[A-Z])(\.\d+)*|Tillegg [A-E])?"
LABEL_PATTERNS: dict[str, re.Pattern[str]] = {
    "eu-ai-act/": re.compile(EU_LABEL),
    "gdpr/": re.compile(EU_LABEL),
    "lovdata-markdown/lover/": re.compile(LAW_LABEL),
    "lovdata-markdown/forskrifter/": re.compile(LAW_LABEL),
    "dpia-guidance/WP248": re.compile(r"([IVX]+(\.[A-Z](\.[a-z])?)?|Annex \d+)"),
    "dpia-guidance/": re.compile(PDF_LABEL),
    "arkivverket-noark5/": re.compile(PDF_LABEL),
    "seeds/": re.compile(r""),
}
QUOTED = re.compile(r"«([^»]*)»|\"([^\"]*)\"|“([^”]*)”")


def _load_items(path: Path = DATASET) -> list[dict[str, Any]]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            item = json.loads(line)
            assert isinstance(item, dict), f"line {n} is not a JSON object"
            items.append(item)
    return items


@pytest.fixture(
    scope="module",
    params=list(ALL_SETS),
    ids=[
        "ours",
        "heldout",
        "heldout2",
        "heldout3",
        "heldout4",
        "heldout5",
        "dev6",
        "heldout6",
        "dev7",
        "heldout7",
        "dev8",
        "dev9",
        "heldout8",
        "dev10",
        "dev11",
        "heldout9",
        "dev12",
        "dev13",
        "heldout10",
        "heldout11",
        "heldout12",
        "heldout13",
        "heldout14",
    ],
)
def items(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    path: Path = request.param
    assert path.is_file(), f"{path} is missing"
    return _load_items(path)


@pytest.fixture(scope="module")
def main_items() -> list[dict[str, Any]]:
    return _load_items(DATASET)


def test_the_sets_share_no_id_or_question() -> None:
    sets = [_load_items(path) for path in ALL_SETS]
    for n, one in enumerate(sets):
        for other in sets[n + 1 :]:
            assert not {i["id"] for i in one} & {i["id"] for i in other}
            assert not {_norm(i["question"]) for i in one} & {_norm(i["question"]) for i in other}


def _dev_sample() -> list[dict[str, Any]]:
    for path in DEV_SAMPLE_CANDIDATES:
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            return [json.loads(line) for line in lines if line.strip()]
    return []


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _label_pattern(source: str) -> re.Pattern[str] | None:
    for prefix, pattern in LABEL_PATTERNS.items():
        if source.startswith(prefix):
            return pattern
    return None


def _is_pdf(source: str) -> bool:
    return source.lower().endswith(".pdf")


def _family(gold: dict[str, Any]) -> str:
    """Renditions of the same act share a family; anything else is its own source."""
    source, section = gold["source"], gold["section"]
    if source in AI_RENDITIONS:
        return "ai-act"
    if source in GDPR_EN or (source == POPPLYL and section.startswith("Artikkel ")):
        return "gdpr"
    return source


# ---------------------------------------------------------------------------- structure


def test_dataset_parses_with_required_fields(items: list[dict[str, Any]]) -> None:
    for item in items:
        ident = item.get("id")
        for field, typ in REQUIRED_FIELDS.items():
            assert isinstance(item.get(field), typ), f"{ident}: {field} must be {typ.__name__}"
        assert set(item) == set(REQUIRED_FIELDS), f"{ident}: unexpected fields"
        assert item["lang"] in LANGS, ident
        assert item["kind"] in KINDS, ident
        assert item["question"].strip() and item["notes"].strip(), ident


def test_ids_unique_and_prefixed_by_language(items: list[dict[str, Any]]) -> None:
    ids = [item["id"] for item in items]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, duplicates
    for item in items:
        assert re.fullmatch(r"(nb|nn|en)-\d{3,4}", item["id"]), item["id"]
        assert item["id"].split("-")[0] == item["lang"], item["id"]
    questions = [_norm(item["question"]) for item in items]
    assert len(set(questions)) == len(questions), "two items ask the same question"


def test_answerable_matches_gold_and_kind(items: list[dict[str, Any]]) -> None:
    for item in items:
        ident, gold = item["id"], item["gold"]
        if item["answerable"]:
            assert gold, f"{ident}: answerable items need gold"
            assert item["kind"] != "unanswerable", ident
            facts = item["answer_facts"]
            assert 1 <= len(facts) <= 4, f"{ident}: 1-4 answer facts"
            assert all(isinstance(f, str) and f.strip() for f in facts), ident
        else:
            assert gold == [], f"{ident}: unanswerable items have no gold"
            assert item["kind"] == "unanswerable", ident
            assert item["answer_facts"] == UNANSWERABLE_FACTS, ident


def test_minimum_counts_per_kind_and_language(main_items: list[dict[str, Any]]) -> None:
    items = main_items
    assert len(items) >= MIN_ITEMS
    langs = Counter(item["lang"] for item in items)
    kinds = Counter(item["kind"] for item in items)
    for lang, minimum in MIN_PER_LANG.items():
        assert langs[lang] >= minimum, f"{lang}: {langs[lang]} < {minimum}"
    for kind, minimum in MIN_PER_KIND.items():
        assert kinds[kind] >= minimum, f"{kind}: {kinds[kind]} < {minimum}"


def _check_gold_entry(ident: str, gold: dict[str, Any]) -> None:
    assert isinstance(gold, dict), ident
    assert set(gold) <= {"source", "section", "page"}, f"{ident}: {gold}"
    source, section = gold.get("source"), gold.get("section")
    assert isinstance(source, str) and isinstance(section, str), f"{ident}: {gold}"
    path = PurePosixPath(source)
    assert not path.is_absolute() and ".." not in path.parts, f"{ident}: {source}"
    assert not source.startswith("pdf-test-samples/"), f"{ident}: superseded draft as gold"
    pattern = _label_pattern(source)
    assert pattern is not None, f"{ident}: {source} is not in the eval corpus"
    assert pattern.fullmatch(section), f"{ident}: label {section!r} for {source}"
    if _is_pdf(source):
        page = gold.get("page")
        assert isinstance(page, int) and not isinstance(page, bool), f"{ident}: PDF needs page"
        assert page >= 1, ident
    else:
        assert "page" not in gold, f"{ident}: page only for PDFs"


def _check_renditions(ident: str, golds: list[dict[str, Any]]) -> None:
    """Where one text exists in several renditions, every rendition is a gold."""
    cited = {(g["source"], g["section"]) for g in golds}
    for source, section in cited:
        if source in AI_RENDITIONS:
            for other in AI_RENDITIONS:
                assert (other, section) in cited, f"{ident}: {section} needs {other}"
        number = None
        if source in GDPR_EN and section.startswith("Article "):
            number = section.removeprefix("Article ")
        elif source == POPPLYL and section.startswith("Artikkel "):
            number = section.removeprefix("Artikkel ")
        if number is not None:
            needed = {(POPPLYL, f"Artikkel {number}")}
            needed |= {(rendition, f"Article {number}") for rendition in GDPR_EN}
            assert needed <= cited, f"{ident}: GDPR art. {number} needs all renditions"


def _check_multi_source(ident: str, golds: list[dict[str, Any]]) -> None:
    """Every multi_source gold is required, so each source (and each act) appears once."""
    sources = [g["source"] for g in golds]
    families = [_family(g) for g in golds]
    assert len(golds) >= 2, f"{ident}: multi_source needs two sources"
    assert len(set(sources)) == len(sources), f"{ident}: a source is listed twice"
    assert len(set(families)) == len(families), f"{ident}: two renditions of one act"


def test_gold_entries_are_well_formed(items: list[dict[str, Any]]) -> None:
    for item in items:
        ident, golds = item["id"], item["gold"]
        for gold in golds:
            _check_gold_entry(ident, gold)
        keys = [(g["source"], g["section"], g.get("page")) for g in golds]
        assert len(set(keys)) == len(keys), f"{ident}: duplicate gold"
        if item["kind"] == "multi_source":
            _check_multi_source(ident, golds)
        else:
            _check_renditions(ident, golds)


def test_cross_lingual_items_are_norwegian_questions_on_the_ai_act(
    items: list[dict[str, Any]],
) -> None:
    for item in items:
        if item["kind"] == "cross_lingual":
            assert item["lang"] in {"nb", "nn"}, item["id"]
            assert {g["source"] for g in item["gold"]} <= set(AI_RENDITIONS), item["id"]


def test_notes_quote_only_short_phrases(items: list[dict[str, Any]]) -> None:
    for item in items:
        for groups in QUOTED.findall(item["notes"]):
            quote = "".join(groups)
            assert len(quote.split()) < 15, f"{item['id']}: quote too long: {quote!r}"


def test_no_question_repeats_the_dev_sample(items: list[dict[str, Any]]) -> None:
    sample = _dev_sample()
    if not sample:
        pytest.skip("shared dev sample not found")
    sample_ids = {s["id"] for s in sample}
    sample_questions = [_norm(s["question"]) for s in sample]
    for item in items:
        assert item["id"] not in sample_ids, f"{item['id']} collides with a dev-sample id"
        question = _norm(item["question"])
        for other in sample_questions:
            ratio = difflib.SequenceMatcher(None, question, other).ratio()
            assert ratio < 0.8, f"{item['id']} is close to a dev-sample question: {other!r}"


# ---------------------------------------------------------------------------- corpus


@lru_cache(maxsize=64)
def _document(corpus: Path, source: str) -> Document:
    return load_document((corpus / source).read_bytes(), source)


def _pages(doc: Document, label: str) -> set[int | None]:
    sections = [s for s in doc.sections if s.label == label] if label else doc.sections
    return {block.page for section in sections for block in section.blocks}


def _gold_problem(corpus: Path, gold: dict[str, Any]) -> str | None:
    source, label, page = gold["source"], gold["section"], gold.get("page")
    if not (corpus / source).is_file():
        return f"{source} does not exist"
    doc = _document(corpus, source)
    if label and doc.section(label) is None:
        return f"{source} has no section {label!r}"
    if page is not None and page not in _pages(doc, label):
        where = f"section {label!r}" if label else "the document"
        return f"{source}: no block of {where} is on page {page}"
    if not label and not doc.sections:
        return f"{source} loaded without sections"
    return None


@pytest.mark.corpus
def test_every_gold_exists_in_the_loaded_corpus(
    items: list[dict[str, Any]], corpus_dir: Path
) -> None:
    problems = []
    for item in items:
        for gold in item["gold"]:
            problem = _gold_problem(corpus_dir, gold)
            if problem:
                problems.append(f"{item['id']}: {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.corpus
def test_ai_act_golds_name_existing_articles_recitals_and_annexes(
    items: list[dict[str, Any]], corpus_dir: Path
) -> None:
    labels = {source: set(_document(corpus_dir, source).labels) for source in AI_RENDITIONS}
    for item in items:
        for gold in item["gold"]:
            if gold["source"] in AI_RENDITIONS:
                label = gold["section"]
                assert re.fullmatch(EU_LABEL, label), f"{item['id']}: {label!r}"
                for source, found in labels.items():
                    assert label in found, f"{item['id']}: {label} not in {source}"
