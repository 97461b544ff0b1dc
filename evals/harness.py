"""Evaluation harness: the dataset, the system seam, scoring, reports and run files.

Dataset format and run format: `../shared/evals/README.md`. Any system that implements
`EvalSystem` (Regelrett, the LangChain baseline in `evals/baseline.py`, a fake in the tests) is
run over the same items with `run_eval`, and `format_report` puts several reports side by side.

Scoring rules:
- A passage hits a gold when the source matches and either the gold's section is one of the
  passage's section labels (or its main section), or the gold's page lies in the passage's page
  range. A gold with neither section nor page (a file without numbered sections) is hit by any
  passage from that source.
- `kind == "multi_source"`: every listed gold must be hit within the top k; the rank used for MRR
  is the rank at which the last of them is first covered. Other kinds: any gold is a hit and the
  rank is that of the first hitting passage.
- Retrieval metrics (hit@k, MRR@10, false refusals) are over answerable items; refusal accuracy
  over unanswerable items; the verified share of citations over all items.
- Latency percentiles are nearest-rank percentiles of the per-item `seconds`.
- `kind == "date_validity"`: the answer carries the right warning when one of its currency
  notes (which version applies on the answer's date) is about a gold source, or names a gold
  source as the version that applies; an item may also say which kind of note it expects
  (`expect_warning`, optional: not_in_force, section_not_in_force, repealed, eu_not_yet,
  eu_applies, in_force_since, or a list of them). Reported as the share of those items.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

LANGS = ("nb", "nn", "en")
HIT_KS = (1, 3, 5, 10)
MAX_RANK = 10
RUN_PASSAGES = 10


# --- dataset -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gold:
    """Where the answer stands: a file (relative to the corpus root), a section label, a page."""

    source: str
    section: str = ""
    page: int | None = None


@dataclass
class EvalItem:
    id: str
    question: str
    lang: str
    answerable: bool
    gold: list[Gold]
    answer_facts: list[str] = field(default_factory=list)
    kind: str = "lookup"
    notes: str = ""
    expect_warning: list[str] = field(default_factory=list)  # optional, date_validity items


def _norm_source(source: str) -> str:
    """Relative paths compare the same whatever the separator or a leading './'."""
    s = source.strip().replace("\\", "/")
    while s.startswith("./"):
        s = s[2:]
    return s


def _req(obj: dict[str, Any], key: str, kind: type, what: str) -> Any:
    if key not in obj:
        raise ValueError(f"missing field {key!r}")
    value = obj[key]
    if not isinstance(value, kind):
        raise ValueError(f"field {key!r} must be {what}, got {type(value).__name__}")
    return value


def _parse_gold(raw: Any, index: int) -> Gold:
    if not isinstance(raw, dict):
        raise ValueError(f"gold[{index}] must be an object")
    source = _req(raw, "source", str, "a path")
    if not source.strip():
        raise ValueError(f"gold[{index}].source is empty")
    section = raw.get("section") or ""
    if not isinstance(section, str):
        raise ValueError(f"gold[{index}].section must be text")
    page = raw.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
        raise ValueError(f"gold[{index}].page must be a page number from 1, or null")
    return Gold(_norm_source(source), section.strip(), page)


def _parse_item(obj: Any) -> EvalItem:
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    item_id = _req(obj, "id", str, "text")
    question = _req(obj, "question", str, "text")
    if not item_id.strip() or not question.strip():
        raise ValueError("id and question must not be empty")
    lang = _req(obj, "lang", str, "text")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    answerable = _req(obj, "answerable", bool, "true or false")
    gold_raw = _req(obj, "gold", list, "a list")
    kind = _req(obj, "kind", str, "text")
    facts = obj.get("answer_facts") or []
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        raise ValueError("answer_facts must be a list of strings")
    notes = obj.get("notes") or ""
    if not isinstance(notes, str):
        raise ValueError("notes must be text")
    gold = [_parse_gold(g, i) for i, g in enumerate(gold_raw)]
    expect = obj.get("expect_warning") or []
    expect = [expect] if isinstance(expect, str) else expect
    if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
        raise ValueError("expect_warning must be a kind or a list of kinds")
    return EvalItem(item_id, question, lang, answerable, gold, list(facts), kind, notes, expect)


def load_dataset(path: str | Path) -> list[EvalItem]:
    """Read a JSONL dataset. Raises ValueError naming the file and line of the first bad line."""
    path = Path(path)
    items: list[EvalItem] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}, line {lineno}: not valid JSON: {exc.msg}") from None
            try:
                item = _parse_item(obj)
            except ValueError as exc:
                raise ValueError(f"{path}, line {lineno}: {exc}") from None
            if item.id in seen:
                raise ValueError(
                    f"{path}, line {lineno}: duplicate id {item.id!r} (first on line "
                    f"{seen[item.id]})"
                )
            seen[item.id] = lineno
            items.append(item)
    return items


# --- the system seam ---------------------------------------------------------------------------


@dataclass
class RunPassage:
    """One retrieved passage as the system ranks it. `section` is its main label."""

    source: str
    section: str
    section_labels: list[str]
    page_start: int | None
    page_end: int | None
    text: str


@dataclass(frozen=True)
class CurrencyMark:
    """One warning about versions and dates: its kind, the source it is about, and the
    version it names as applying instead (if any)."""

    kind: str
    source: str
    applicable: str | None = None


@dataclass
class SystemOutput:
    """What a system returns for one question."""

    passages: list[RunPassage]  # ranked, best first
    refused: bool
    answer: str
    citations_verified: list[bool]  # one entry per citation shown: was it verified
    seconds: float
    currency: list[CurrencyMark] = field(default_factory=list)


@runtime_checkable
class EvalSystem(Protocol):
    name: str

    def run(self, question: str, lang: str) -> SystemOutput: ...


# --- scoring -----------------------------------------------------------------------------------


def passage_hits(passage: RunPassage, gold: Gold) -> bool:
    if _norm_source(passage.source) != gold.source:
        return False
    if gold.section and (gold.section in passage.section_labels or gold.section == passage.section):
        return True
    if gold.page is not None and passage.page_start is not None:
        end = passage.page_end if passage.page_end is not None else passage.page_start
        if passage.page_start <= gold.page <= end:
            return True
    # A gold naming only a file (no section, no page) is hit by any passage from it.
    return not gold.section and gold.page is None


def gold_rank(item: EvalItem, passages: Sequence[RunPassage], depth: int = MAX_RANK) -> int | None:
    """1-based rank at which the item counts as found in the top `depth`, or None."""
    top = passages[:depth]
    if not item.gold:
        return None
    first_hits: list[int | None] = []
    for g in item.gold:
        first_hits.append(next((r for r, p in enumerate(top, start=1) if passage_hits(p, g)), None))
    if item.kind == "multi_source":
        if any(r is None for r in first_hits):
            return None
        return max(r for r in first_hits if r is not None)
    found = [r for r in first_hits if r is not None]
    return min(found) if found else None


@dataclass
class ItemResult:
    item: EvalItem
    output: SystemOutput
    rank: int | None  # None: not found in the top 10 (or unanswerable)
    error: str | None = None  # the system raised; output is then empty

    def hit(self, k: int) -> bool:
        return self.rank is not None and self.rank <= k

    @property
    def reciprocal_rank(self) -> float:
        return 1.0 / self.rank if self.rank is not None and self.rank <= MAX_RANK else 0.0

    @property
    def right_warning(self) -> bool | None:
        """date_validity items: does the answer carry the right warning (module docstring)?
        None for other kinds."""
        if self.item.kind != "date_validity":
            return None
        gold = {g.source for g in self.item.gold}
        for mark in self.output.currency:
            about = {_norm_source(mark.source)} | (
                {_norm_source(mark.applicable)} if mark.applicable else set()
            )
            if about & gold and (
                not self.item.expect_warning or mark.kind in self.item.expect_warning
            ):
                return True
        return False


@dataclass
class Breakdown:
    """Figures for a slice of the items (one kind or one language)."""

    n: int
    n_answerable: int
    hit5: float | None
    mrr10: float | None
    refusal_accuracy: float | None  # when the slice holds unanswerable items


@dataclass
class Metrics:
    n: int
    n_answerable: int
    n_unanswerable: int
    hit_at: dict[int, float | None]
    mrr10: float | None
    refusal_accuracy: float | None
    false_refusal_rate: float | None
    citations_shown: int
    citations_verified: int
    verified_share: float | None  # None: no citations shown at all
    latency_p50: float | None
    latency_p95: float | None
    errors: int
    date_validity_n: int = 0
    date_validity_warned: float | None = None  # share with the right warning


@dataclass
class EvalReport:
    system: str
    results: list[ItemResult]
    metrics: Metrics
    by_kind: dict[str, Breakdown]
    by_lang: dict[str, Breakdown]


def _share(flags: Iterable[bool]) -> float | None:
    values = list(flags)
    return sum(values) / len(values) if values else None


def _mean(values: Iterable[float]) -> float | None:
    v = list(values)
    return sum(v) / len(v) if v else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _breakdown(results: Sequence[ItemResult]) -> Breakdown:
    answerable = [r for r in results if r.item.answerable]
    unanswerable = [r for r in results if not r.item.answerable]
    return Breakdown(
        n=len(results),
        n_answerable=len(answerable),
        hit5=_share(r.hit(5) for r in answerable),
        mrr10=_mean(r.reciprocal_rank for r in answerable),
        refusal_accuracy=_share(r.output.refused for r in unanswerable),
    )


def compute_metrics(results: Sequence[ItemResult]) -> Metrics:
    answerable = [r for r in results if r.item.answerable]
    unanswerable = [r for r in results if not r.item.answerable]
    verified = [v for r in results for v in r.output.citations_verified]
    seconds = [r.output.seconds for r in results]
    warned = [w for r in results if (w := r.right_warning) is not None]
    return Metrics(
        n=len(results),
        n_answerable=len(answerable),
        n_unanswerable=len(unanswerable),
        hit_at={k: _share(r.hit(k) for r in answerable) for k in HIT_KS},
        mrr10=_mean(r.reciprocal_rank for r in answerable),
        refusal_accuracy=_share(r.output.refused for r in unanswerable),
        false_refusal_rate=_share(r.output.refused for r in answerable),
        citations_shown=len(verified),
        citations_verified=sum(verified),
        verified_share=_share(verified),
        latency_p50=percentile(seconds, 50),
        latency_p95=percentile(seconds, 95),
        errors=sum(1 for r in results if r.error),
        date_validity_n=len(warned),
        date_validity_warned=_share(warned),
    )


def _group(results: Sequence[ItemResult], key: Callable[[ItemResult], str]) -> dict[str, Breakdown]:
    groups: dict[str, list[ItemResult]] = {}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    return {name: _breakdown(groups[name]) for name in sorted(groups)}


def build_report(system: str, results: list[ItemResult]) -> EvalReport:
    return EvalReport(
        system=system,
        results=results,
        metrics=compute_metrics(results),
        by_kind=_group(results, lambda r: r.item.kind),
        by_lang=_group(results, lambda r: r.item.lang),
    )


def score_item(item: EvalItem, output: SystemOutput, error: str | None = None) -> ItemResult:
    rank = gold_rank(item, output.passages) if item.answerable else None
    return ItemResult(item, output, rank, error)


def run_eval(
    system: EvalSystem,
    items: Sequence[EvalItem],
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask the system every question, score each answer, and keep the per-item results.

    A question on which the system raises counts as an empty answer (no passages, not refused)
    and is recorded with the error, so one failure does not lose the whole run.
    """
    results: list[ItemResult] = []
    for done, item in enumerate(items, start=1):
        t0 = time.perf_counter()
        try:
            output = system.run(item.question, item.lang)
            error = None
        except Exception as exc:
            tb = traceback.format_exception_only(type(exc), exc)
            output = SystemOutput([], False, "", [], time.perf_counter() - t0)
            error = "".join(tb).strip()
        results.append(score_item(item, output, error))
        if progress is not None:
            progress(done, len(items))
    return build_report(system.name, results)


# --- output ------------------------------------------------------------------------------------


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:.1f}%" if pct else f"{value:.3f}"


def _secs(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}s"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return [line(header), sep, *(line(r) for r in rows)]


def _overall_rows(reports: Sequence[EvalReport]) -> list[list[str]]:
    ms = [r.metrics for r in reports]
    rows = [
        ["items", *(str(m.n) for m in ms)],
        ["  answerable", *(str(m.n_answerable) for m in ms)],
        ["  unanswerable", *(str(m.n_unanswerable) for m in ms)],
    ]
    rows += [[f"hit@{k}", *(_fmt(m.hit_at[k]) for m in ms)] for k in HIT_KS]
    rows += [
        ["MRR@10", *(_fmt(m.mrr10) for m in ms)],
        ["refusal accuracy (unanswerable)", *(_fmt(m.refusal_accuracy, True) for m in ms)],
        ["false refusals (answerable)", *(_fmt(m.false_refusal_rate, True) for m in ms)],
        [
            "citations verified",
            *(
                f"{_fmt(m.verified_share, True)} ({m.citations_verified}/{m.citations_shown})"
                if m.citations_shown
                else "n/a"
                for m in ms
            ),
        ],
        ["latency p50", *(_secs(m.latency_p50) for m in ms)],
        ["latency p95", *(_secs(m.latency_p95) for m in ms)],
    ]
    if any(m.date_validity_n for m in ms):
        rows.append(
            [
                "date_validity: right warning",
                *(
                    f"{_fmt(m.date_validity_warned, True)} "
                    f"({round((m.date_validity_warned or 0) * m.date_validity_n)}"
                    f"/{m.date_validity_n})"
                    for m in ms
                ),
            ]
        )
    if any(m.errors for m in ms):
        rows.append(["errors", *(str(m.errors) for m in ms)])
    return rows


def _slice_cell(b: Breakdown | None) -> str:
    if b is None:
        return "-"
    if b.n_answerable:
        return f"{_fmt(b.hit5)} / {_fmt(b.mrr10)}"
    return f"refused {_fmt(b.refusal_accuracy, True)}"


def _slice_rows(
    reports: Sequence[EvalReport], pick: Callable[[EvalReport], dict[str, Breakdown]]
) -> list[list[str]]:
    names = sorted({name for r in reports for name in pick(r)})
    rows = []
    for name in names:
        slices = [pick(r).get(name) for r in reports]
        counts = sorted({b.n for b in slices if b is not None})
        n = "/".join(str(c) for c in counts)
        rows.append([f"{name} (n={n})", *(_slice_cell(b) for b in slices)])
    return rows


def format_report(reports: Sequence[EvalReport]) -> str:
    """A plain-text table with the systems side by side: overall, per kind, per language."""
    if not reports:
        return "no reports"
    names = [r.system for r in reports]
    out = ["Overall", *_table(["metric", *names], _overall_rows(reports)), ""]
    out += ["By kind (hit@5 / MRR@10; unanswerable kinds: share refused)"]
    out += _table(["kind", *names], _slice_rows(reports, lambda r: r.by_kind))
    out += ["", "By language (hit@5 / MRR@10)"]
    out += _table(["lang", *names], _slice_rows(reports, lambda r: r.by_lang))
    return "\n".join(out) + "\n"


def _breakdown_dict(b: Breakdown) -> dict[str, Any]:
    return {
        "n": b.n,
        "n_answerable": b.n_answerable,
        "hit@5": b.hit5,
        "mrr@10": b.mrr10,
        "refusal_accuracy": b.refusal_accuracy,
    }


def report_to_dict(report: EvalReport) -> dict[str, Any]:
    m = report.metrics
    return {
        "system": report.system,
        "metrics": {
            "n": m.n,
            "n_answerable": m.n_answerable,
            "n_unanswerable": m.n_unanswerable,
            **{f"hit@{k}": v for k, v in m.hit_at.items()},
            "mrr@10": m.mrr10,
            "refusal_accuracy": m.refusal_accuracy,
            "false_refusal_rate": m.false_refusal_rate,
            "citations_shown": m.citations_shown,
            "citations_verified": m.citations_verified,
            "verified_share": m.verified_share,
            "latency_p50": m.latency_p50,
            "latency_p95": m.latency_p95,
            "errors": m.errors,
            "date_validity_n": m.date_validity_n,
            "date_validity_right_warning": m.date_validity_warned,
        },
        "by_kind": {k: _breakdown_dict(b) for k, b in report.by_kind.items()},
        "by_lang": {k: _breakdown_dict(b) for k, b in report.by_lang.items()},
        "items": [
            {
                "id": r.item.id,
                "kind": r.item.kind,
                "lang": r.item.lang,
                "answerable": r.item.answerable,
                "rank": r.rank,
                "refused": r.output.refused,
                "citations": len(r.output.citations_verified),
                "citations_verified": sum(r.output.citations_verified),
                "seconds": r.output.seconds,
                "error": r.error,
                "right_warning": r.right_warning,
            }
            for r in report.results
        ],
    }


def report_to_json(report: EvalReport, indent: int | None = 2) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=indent)


def run_record(result: ItemResult) -> dict[str, Any]:
    """One line of the run format (../shared/evals/README.md)."""
    out = result.output
    return {
        "id": result.item.id,
        "passages": [
            {"source": p.source, "section": p.section, "page": p.page_start, "text": p.text}
            for p in out.passages[:RUN_PASSAGES]
        ],
        "refused": out.refused,
        "answer": out.answer,
    }


def dump_run(report: EvalReport, path: str | Path) -> Path:
    """Write the run file: one JSON object per question, in dataset order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for result in report.results:
            fh.write(json.dumps(run_record(result), ensure_ascii=False) + "\n")
    return path


__all__ = [
    "Breakdown",
    "CurrencyMark",
    "EvalItem",
    "EvalReport",
    "EvalSystem",
    "Gold",
    "ItemResult",
    "Metrics",
    "RunPassage",
    "SystemOutput",
    "build_report",
    "compute_metrics",
    "dump_run",
    "format_report",
    "gold_rank",
    "load_dataset",
    "passage_hits",
    "percentile",
    "report_to_dict",
    "report_to_json",
    "run_eval",
    "run_record",
    "score_item",
]
