"""`regelrett eval`: quality on JSONL datasets, Regelrett beside the LangChain baseline."""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import typer

from assistant.cli.common import console, fail, load_settings
from assistant.settings import Settings
from ingest.pipeline import IngestInputError
from ingest.service import DefaultSource, default_sources, open_ingestor


def _eval_settings(collection: str, **answer: Any) -> Settings:
    """The settings for an eval run: its own collection, and answer settings overridden."""
    settings = load_settings()
    return settings.model_copy(
        update={
            "answer": settings.answer.model_copy(update=answer),
            "chroma": settings.chroma.model_copy(update={"collection": collection}),
        }
    )


def _eval_source(settings: Settings, corpus: Path) -> DefaultSource:
    """The eval corpus entry of the default sources, pointed at `corpus`."""
    for src in default_sources(settings):
        if src.optional and src.include:
            return DefaultSource(
                path=corpus.resolve(),
                optional=False,
                include=src.include,
                exclude=src.exclude,
                doc_types=src.doc_types,
            )
    return DefaultSource(path=corpus.resolve())


def _ingest(settings: Settings, src: DefaultSource) -> None:
    from assistant.cli.ingest_cmd import ConsoleProgress

    console.print(f"ingesting the eval corpus {src.path} (unchanged files are skipped) …")
    progress = ConsoleProgress()
    with open_ingestor(settings) as ing:
        try:
            report = ing.run(
                [src.path],
                include=src.include,
                exclude=src.exclude,
                doc_type_rules=src.doc_types,
                prune=False,
                progress=progress,
            )
        finally:
            progress.stop()
    console.print(
        f"  {report.count('added')} added, {report.count('updated')} updated, "
        f"{report.count('unchanged')} unchanged, {len(report.failed)} failed"
    )


def _baseline(settings: Settings, src: DefaultSource | None) -> Any:
    from assistant.embeddings import make_embedder
    from evals.baseline import LangChainBaseline, expand_patterns

    if src is None:
        fail("the baseline needs --corpus PATH (it indexes the same files itself)")
    files = expand_patterns(src.path, src.include or ["**/*"])

    shown: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        # a line about every 200 items (batches need not divide 200), and at the end
        if done == total or done // 200 > shown.get(stage, 0) // 200:
            shown[stage] = done
            console.print(f"  baseline {stage}: {done}/{total}")

    console.print("baseline index (built once, then reused) …")
    return LangChainBaseline(
        src.path,
        files,
        make_embedder(settings.embedder.backend),
        settings.data_dir,
        progress=progress,
    )


def eval_cmd(
    datasets: list[Path] = typer.Argument(..., help="JSONL datasets (see evals/README.md)."),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="Ingest this corpus (eval file list) before the run."
    ),
    dump_run: Path | None = typer.Option(
        None,
        "--dump-run",
        help="Write Regelrett's run file here (one dataset) or into this folder.",
    ),
    baseline: bool = typer.Option(
        True, "--baseline/--no-baseline", help="Also run the LangChain tutorial baseline."
    ),
    mode: str | None = typer.Option(None, "--mode", help="extractive (default) or llm."),
    json_out: Path | None = typer.Option(None, "--json-out", help="Write all figures as JSON."),
    collection: str = typer.Option(
        "regelrett-eval",
        "--collection",
        help="Index (Chroma collection) with only the eval corpus; the embedding cache is shared.",
    ),
) -> None:
    """Run every question; print hit@k, MRR@10, refusals, verified citations, per kind and
    language, for Regelrett and the baseline side by side."""
    from assistant.wiring import open_assistant
    from evals.harness import dump_run as write_run
    from evals.harness import format_report, load_dataset, report_to_dict, run_eval
    from evals.system import RegelrettSystem

    settings = _eval_settings(collection, sources_shown=10)
    if dump_run is not None and len(datasets) > 1 and dump_run.is_file():
        fail(f"--dump-run {dump_run} is a file; with several datasets it must be a folder")
    try:
        items = {ds: load_dataset(ds) for ds in datasets}
    except (OSError, ValueError) as exc:
        fail(str(exc))
    src = _eval_source(settings, corpus) if corpus else None
    if src is not None:
        if not src.path.is_dir():
            fail(f"corpus not found: {src.path}")
        try:
            _ingest(settings, src)
        except IngestInputError as exc:
            fail(str(exc))
    base = _baseline(settings, src) if baseline else None
    results: dict[str, object] = {}
    with open_assistant(settings) as assistant:
        assistant.warm_up()
        ours = RegelrettSystem(assistant, mode=mode)
        for ds, dataset in items.items():
            console.print(f"\n[bold]{ds}[/] ({len(dataset)} questions)")
            reports = [run_eval(ours, dataset)]
            if base is not None:
                reports.append(run_eval(base, dataset))
            typer.echo(format_report(reports))
            results[str(ds)] = [report_to_dict(r) for r in reports]
            if dump_run is not None:
                # several datasets: always a folder (one file each, none overwritten)
                if len(datasets) > 1:
                    dump_run.mkdir(parents=True, exist_ok=True)
                target = dump_run / f"{ds.stem}.run.jsonl" if dump_run.is_dir() else dump_run
                write_run(reports[0], target)
                console.print(f"run written to {target}")
    if base is not None:
        base.close()
    out = (
        json_out
        or settings.data_dir / "eval-reports" / f"eval-{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    console.print(f"figures written to {out}")


def calibrate_cmd(
    datasets: list[Path] = typer.Argument(
        ..., help="Our own eval sets (never the shared sample or a held-out set)."
    ),
    max_false_refusals: float = typer.Option(
        0.05,
        help="Highest share of answerable refused (half the target of 0.1: room for new ones).",
    ),
    by_language: bool = typer.Option(
        False,
        "--by-language",
        help="Also choose a threshold for English questions and one for Norwegian ones.",
    ),
    alone: bool = typer.Option(
        False,
        "--confidence-alone",
        help="Choose on confidence alone, as if no rule refused: the rules were written on "
        "these sets, so what they catch here overstates what they catch on new questions.",
    ),
    collection: str = typer.Option("regelrett-eval", "--collection"),
) -> None:
    """Choose the refusal threshold on eval sets and print how confidences are spread."""
    from assistant.wiring import open_assistant
    from evals.calibrate import Scored, choose_threshold, confidence_alone, confidences
    from evals.harness import load_dataset

    settings = _eval_settings(collection, refusal_threshold=0.0, refusal_threshold_en=0.0)
    try:
        items = [item for ds in datasets for item in load_dataset(ds)]
    except (OSError, ValueError) as exc:
        fail(str(exc))
    with open_assistant(settings) as assistant:
        scored = confidences(assistant, items)
    if alone:
        scored = confidence_alone(scored)

    def spread(values: list[float]) -> str:
        if not values:
            return "none"
        mid = values[len(values) // 2]
        return f"n={len(values)} min={values[0]:.3f} median={mid:.3f} max={values[-1]:.3f}"

    def report(group: list[Scored], name: str, variable: str) -> None:
        cal = choose_threshold(group, max_false_refusals)
        console.print(f"[bold]{name}[/bold]")
        console.print(f"  answerable:   {spread(cal.answerable)}")
        console.print(f"  unanswerable: {spread(cal.unanswerable)}")
        anyway = [s for s in group if s.refused_anyway]
        console.print(
            f"  refused whatever the threshold (a law, subject or fact the sources do not "
            f"hold, nothing verifiable): {sum(not s.answerable for s in anyway)} unanswerable, "
            f"{sum(s.answerable for s in anyway)} answerable"
        )
        console.print(
            f"  threshold {cal.threshold:.4f}: refusal accuracy {cal.refusal_accuracy:.2f}, "
            f"false refusals {cal.false_refusal_rate:.2f} (set {variable})"
        )

    report(
        scored,
        "all questions",
        "REGELRETT_ANSWER_REFUSAL_THRESHOLD or the default in assistant/settings.py",
    )
    if by_language:
        report(
            [s for s in scored if s.language != "en"],
            "Norwegian questions (bokmål, nynorsk)",
            "REGELRETT_ANSWER_REFUSAL_THRESHOLD",
        )
        report(
            [s for s in scored if s.language == "en"],
            "English questions",
            "REGELRETT_ANSWER_REFUSAL_THRESHOLD_EN",
        )


def train_rerank_cmd(
    datasets: list[Path] = typer.Argument(
        ..., help="Our own eval sets to learn from (never the shared sample or the held-out set)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Where to write the weights (default: knowledge/rerank.json)."
    ),
    folds: int = typer.Option(
        5, "--folds", help="Cross-validation folds to report before training on all; 0: none."
    ),
    l2: float = typer.Option(0.01, "--l2", min=0.0, help="Weight decay of the scorer."),
    collection: str = typer.Option("regelrett-eval", "--collection"),
) -> None:
    """Learn the second stage's weights from eval sets: how each gold passage was found among
    the first stage's candidates. Prints cross-validated figures, then writes the weights."""
    from assistant.resources import data_folder
    from assistant.retrieval.rerank import FEATURES, pairwise_loss, train
    from assistant.wiring import open_assistant
    from evals.harness import load_dataset
    from evals.train_rerank import (
        by,
        collect,
        cross_validate,
        fused_order,
        pipeline_cross_validation,
        ranked_metrics,
    )

    settings = _eval_settings(collection, sources_shown=10)  # as regelrett eval answers
    try:
        items = [it for ds in datasets for it in load_dataset(ds)]
    except (OSError, ValueError) as exc:
        fail(str(exc))
    target = out or data_folder("knowledge") / "rerank.json"

    def progress(done: int, total: int) -> None:
        if done == total or done % 20 == 0:
            console.print(f"  retrieved {done}/{total}")

    with open_assistant(settings) as assistant:
        try:
            examples = collect(assistant.retriever, items, progress)
        except ValueError as exc:
            fail(str(exc))
    if not examples:
        fail("no answerable item with gold passages in the datasets")
    in_reach = sum(ex.group.relevant.any() for ex in examples)
    console.print(
        f"{len(examples)} answerable questions; a gold passage is among the candidates of "
        f"{in_reach} ({in_reach / len(examples):.3f})"
    )
    if folds:
        try:
            cv = cross_validate(examples, folds, l2)
        except ValueError as exc:
            fail(str(exc))
        console.print(f"cross-validated over {folds} folds, the candidates alone:")
        console.print(f"  fused order: hit@5 {cv.fused.hit5:.3f}  MRR@10 {cv.fused.mrr:.3f}")
        console.print(f"  reranked:    hit@5 {cv.reranked.hit5:.3f}  MRR@10 {cv.reranked.mrr:.3f}")
        console.print("the whole pipeline, each fold answered with the other folds' weights …")
        with tempfile.TemporaryDirectory() as tmp:
            plain, reranked = pipeline_cross_validation(settings, examples, folds, l2, Path(tmp))
        for name, m in (("second stage off", plain), ("cross-validated", reranked)):
            console.print(
                f"  {name:<17} hit@1 {_fmt(m.hit_at[1])}  hit@5 {_fmt(m.hit_at[5])}  "
                f"MRR@10 {_fmt(m.mrr10)}"
            )
    try:
        model = train([ex.group for ex in examples], l2=l2)
    except ValueError as exc:
        fail(str(exc))
    model = dataclasses.replace(
        model,
        trained_on=", ".join(ds.name for ds in datasets) + f" ({len(examples)} questions, l2 {l2})",
    )
    fitted = ranked_metrics(examples, by(model))
    base = ranked_metrics(examples, fused_order)
    console.print(
        f"trained on all: hit@5 {base.hit5:.3f} -> {fitted.hit5:.3f}, MRR@10 {base.mrr:.3f} -> "
        f"{fitted.mrr:.3f} (on its own training questions), pairwise loss "
        f"{pairwise_loss(model, [ex.group for ex in examples]):.4f}"
    )
    for name, w in sorted(zip(FEATURES, model.weights, strict=True), key=lambda x: -abs(x[1])):
        console.print(f"  {name:<15} {w:+.3f}")
    model.save(target)
    console.print(f"weights written to {target}")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def train_refusal_cmd(
    datasets: list[Path] = typer.Argument(
        ...,
        help="Our own eval sets to learn from (never the shared sample or a blind held-out set).",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Where to write the scorer (default: knowledge/answerability.json)."
    ),
    l2: float = typer.Option(0.1, "--l2", min=0.0, help="Weight decay on the vector weights."),
    words: bool = typer.Option(
        True, "--words/--no-words", help="Also read the question's words (not only its vector)."
    ),
    word_l2: float = typer.Option(1.0, "--word-l2", min=0.0, help="Weight decay on the words."),
    min_count: int = typer.Option(
        2, "--min-count", min=1, help="Read a word only if this many training questions hold it."
    ),
    budget: float = typer.Option(
        0.02,
        "--budget",
        min=0.0,
        max=0.5,
        help="Highest share of answerable questions the scorer may refuse (on held-out scores).",
    ),
    folds: int = typer.Option(
        5, "--folds", min=2, help="Folds when only one dataset is given (else: one per set)."
    ),
    collection: str = typer.Option("regelrett-eval", "--collection"),
) -> None:
    """Learn the answerability scorer: which questions ask for what the sources do not give.
    Prints each set's figures with the set held out, then writes the scorer."""
    from assistant.answer.answerability import auc
    from assistant.resources import data_folder
    from assistant.wiring import open_assistant
    from evals.harness import load_dataset
    from evals.train_refusal import Words, collect, learn

    settings = _eval_settings(collection, answerability="off")
    try:
        items = [(ds.name, it) for ds in datasets for it in load_dataset(ds)]
    except (OSError, ValueError) as exc:
        fail(str(exc))
    if not items:
        fail("the datasets hold no questions")
    target = out or data_folder("knowledge") / "answerability.json"

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            console.print(f"  answered {done}/{total}")

    with open_assistant(settings) as assistant:
        embedder = assistant.retriever.embedder.id
        try:
            examples = collect(assistant, items, progress)
        except ValueError as exc:
            fail(str(exc))
    unanswerable = sum(e.unanswerable for e in examples)
    if not 0 < unanswerable < len(examples):
        fail("need both answerable and unanswerable questions to learn from")
    reading = Words(word_l2, min_count) if words else None
    how = f"words l2 {word_l2}, min count {min_count}" if reading else "no words"
    trained_on = ", ".join(ds.name for ds in datasets) + (
        f" ({len(examples)} questions, {unanswerable} unanswerable; l2 {l2}, {how}, "
        f"budget {budget})"
    )
    try:
        scorer, held, per_set = learn(
            examples, embedder, l2, budget, folds, trained_on, words=reading
        )
    except (ValueError, np.linalg.LinAlgError) as exc:
        fail(str(exc))
    y = np.array([e.unanswerable for e in examples])
    conf = np.array([e.confidence for e in examples])
    held_out = "each set held out" if len({e.group for e in examples}) > 1 else f"{folds} folds"
    console.print(
        f"{len(examples)} questions ({unanswerable} unanswerable); scores with {held_out}: "
        f"AUC {auc(held, y):.3f} (confidence alone {auc(-conf, y):.3f})",
        soft_wrap=True,
    )
    console.print(f"threshold {scorer.threshold:.4f} (at most {budget:.0%} of answerable refused)")
    if scorer.words:
        top = sorted(scorer.words.items(), key=lambda kv: -abs(kv[1]))[:12]
        console.print(
            f"{len(scorer.words)} words read; the heaviest: "
            + ", ".join(f"{w} {x:+.2f}" for w, x in top),
            soft_wrap=True,
        )
    console.print("refused without -> with the scorer (held-out scores):")
    for f in per_set:
        console.print(
            f"  {f.name:<28} unanswerable {f.refused_before}/{f.unanswerable} -> "
            f"{f.refused_after}/{f.unanswerable}  answerable {f.false_before}/{f.answerable} -> "
            f"{f.false_after}/{f.answerable}",
            soft_wrap=True,
        )
    scorer.save(target)
    console.print(f"scorer written to {target}")
