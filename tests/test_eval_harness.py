"""The evaluation harness on a hand-made dataset and a fake system, figures computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.harness import (
    EvalItem,
    EvalReport,
    EvalSystem,
    Gold,
    RunPassage,
    SystemOutput,
    dump_run,
    format_report,
    gold_rank,
    load_dataset,
    passage_hits,
    percentile,
    report_to_dict,
    report_to_json,
    run_eval,
)

LAW = "lovdata-markdown/lover/law.md"
OTHER = "lovdata-markdown/lover/other.md"
SEED = "seeds/s.txt"
LIST_PDF = "dpia-guidance/list.pdf"
SPEC_PDF = "arkivverket-noark5/spec.pdf"

DATASET = [
    {"id": "q1", "question": "Q1", "lang": "nb", "answerable": True, "kind": "lookup",
     "gold": [{"source": LAW, "section": "§ 28"}], "answer_facts": ["f"], "notes": ""},
    {"id": "q2", "question": "Q2", "lang": "nb", "answerable": True, "kind": "definition",
     "gold": [{"source": LAW, "section": "§ 4"}, {"source": SEED, "section": ""}]},
    {"id": "q3", "question": "Q3", "lang": "en", "answerable": True, "kind": "lookup",
     "gold": [{"source": LAW, "section": "§ 9"}]},
    {"id": "q4", "question": "Q4", "lang": "nb", "answerable": True, "kind": "multi_source",
     "gold": [{"source": LAW, "section": "Artikkel 35"},
              {"source": LIST_PDF, "section": "", "page": 2}]},
    {"id": "q5", "question": "Q5", "lang": "en", "answerable": True, "kind": "multi_source",
     "gold": [{"source": LAW, "section": "§ 1"}, {"source": LIST_PDF, "section": "", "page": 7}]},
    {"id": "q6", "question": "Q6", "lang": "en", "answerable": True, "kind": "lookup",
     "gold": [{"source": SPEC_PDF, "section": "", "page": 86}]},
    {"id": "q7", "question": "Q7", "lang": "nn", "answerable": False, "kind": "unanswerable",
     "gold": []},
    {"id": "q8", "question": "Q8", "lang": "nb", "answerable": False, "kind": "unanswerable",
     "gold": []},
]  # fmt: skip


def p(
    source: str, section: str = "", labels: list[str] | None = None, pages: tuple[int, ...] = ()
) -> RunPassage:
    start = pages[0] if pages else None
    end = pages[1] if len(pages) > 1 else None
    return RunPassage(source, section, labels if labels is not None else [section], start, end, "t")


def out(
    passages: list[RunPassage],
    seconds: float,
    refused: bool = False,
    verified: list[bool] | None = None,
) -> SystemOutput:
    return SystemOutput(passages, refused, f"answer {seconds}", verified or [], seconds)


# Ranks: q1 1 (by label), q2 3 (the file-only gold), q3 miss (right passage at 11),
# q4 5 (second gold covered last), q5 miss (one gold only), q6 2 (page range).
CANNED = {
    "Q1": out([p(LAW, "§ 27", ["§ 27", "§ 28"])], 0.4, verified=[True, True]),
    "Q2": out(
        [p(LAW, "§ 1"), p(OTHER, "§ 4"), p(SEED), p(LAW, "§ 3", ["§ 3", "§ 4"])],
        0.1,
        verified=[True, False],
    ),
    "Q3": out([p(LAW, f"§ {n}") for n in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11)] + [p(LAW, "§ 9")], 0.8),
    "Q4": out(
        [
            p(LAW, "Artikkel 35"),
            p(LAW, "Artikkel 36"),
            p(OTHER),
            p(LIST_PDF, pages=(4, 4)),
            p(LIST_PDF, pages=(1, 3)),
        ],
        0.2,
        verified=[False],
    ),
    "Q5": out([p(LAW, "§ 1"), p(LIST_PDF, pages=(8, 9))], 0.6),
    "Q6": out([p(SPEC_PDF, pages=(80, 85)), p(SPEC_PDF, pages=(85, 87))], 0.3, refused=True),
    "Q7": out([p(LAW, "§ 1")], 0.5, refused=True),
    "Q8": out([p(LAW, "§ 2")], 0.7),
}


class FakeSystem:
    def __init__(self, name: str, canned: dict[str, SystemOutput]) -> None:
        self.name = name
        self.canned = canned
        self.asked: list[tuple[str, str]] = []

    def run(self, question: str, lang: str) -> SystemOutput:
        self.asked.append((question, lang))
        return self.canned[question]


def write_dataset(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def items(tmp_path: Path) -> list[EvalItem]:
    return load_dataset(write_dataset(tmp_path / "tiny.jsonl", DATASET))


@pytest.fixture
def report(items: list[EvalItem]) -> EvalReport:
    return run_eval(FakeSystem("Regelrett", CANNED), items)


def test_load_dataset_reads_every_field(items: list[EvalItem]) -> None:
    assert [i.id for i in items] == [f"q{n}" for n in range(1, 9)]
    q4 = items[3]
    assert q4.kind == "multi_source" and q4.lang == "nb" and q4.answerable
    assert q4.gold == [Gold(LAW, "Artikkel 35", None), Gold(LIST_PDF, "", 2)]
    assert items[0].answer_facts == ["f"]
    assert items[6].gold == [] and not items[6].answerable


def test_fake_system_satisfies_the_protocol() -> None:
    assert isinstance(FakeSystem("x", {}), EvalSystem)


def test_ranks_per_item(report: EvalReport) -> None:
    assert [r.rank for r in report.results] == [1, 3, None, 5, None, 2, None, None]
    assert [r.reciprocal_rank for r in report.results[:6]] == [1.0, 1 / 3, 0.0, 0.2, 0.0, 0.5]


def test_hit_at_k_and_mrr(report: EvalReport) -> None:
    m = report.metrics
    assert (m.n, m.n_answerable, m.n_unanswerable) == (8, 6, 2)
    assert m.hit_at == {1: 1 / 6, 3: 3 / 6, 5: 4 / 6, 10: 4 / 6}
    assert m.mrr10 == pytest.approx((1 + 1 / 3 + 0 + 1 / 5 + 0 + 1 / 2) / 6, rel=1e-12)
    assert m.mrr10 == pytest.approx(61 / 180, rel=1e-12)


def test_refusals_citations_latency(report: EvalReport) -> None:
    m = report.metrics
    assert m.refusal_accuracy == 0.5  # q7 refused, q8 answered
    assert m.false_refusal_rate == 1 / 6  # q6 refused although answerable
    assert (m.citations_verified, m.citations_shown, m.verified_share) == (3, 5, 0.6)
    assert m.latency_p50 == 0.4  # nearest rank over 0.1 .. 0.8
    assert m.latency_p95 == 0.8
    assert m.errors == 0


def test_breakdown_per_kind(report: EvalReport) -> None:
    k = report.by_kind
    assert sorted(k) == ["definition", "lookup", "multi_source", "unanswerable"]
    assert (k["lookup"].n, k["lookup"].hit5, k["lookup"].mrr10) == (3, 2 / 3, 0.5)
    assert (k["definition"].n, k["definition"].hit5, k["definition"].mrr10) == (1, 1.0, 1 / 3)
    assert (k["multi_source"].n, k["multi_source"].hit5) == (2, 0.5)
    assert k["multi_source"].mrr10 == pytest.approx(0.1, rel=1e-12)
    un = k["unanswerable"]
    assert (un.n, un.n_answerable, un.hit5, un.mrr10, un.refusal_accuracy) == (
        2,
        0,
        None,
        None,
        0.5,
    )


def test_breakdown_per_language(report: EvalReport) -> None:
    lang = report.by_lang
    assert sorted(lang) == ["en", "nb", "nn"]
    nb, en, nn = lang["nb"], lang["en"], lang["nn"]
    assert (nb.n, nb.n_answerable, nb.hit5, nb.refusal_accuracy) == (4, 3, 1.0, 0.0)
    assert nb.mrr10 == pytest.approx(23 / 45, rel=1e-12)
    assert (en.n, en.hit5) == (3, 1 / 3)
    assert en.mrr10 == pytest.approx(1 / 6, rel=1e-12)
    assert (nn.n, nn.hit5, nn.refusal_accuracy) == (1, None, 1.0)


def test_multi_source_needs_every_gold() -> None:
    item = EvalItem("m", "?", "nb", True, [Gold(LAW, "§ 1"), Gold(LIST_PDF, "", 2)], kind="lookup")
    only_law = [p(LAW, "§ 1")]
    assert gold_rank(item, only_law) == 1  # any gold is enough for other kinds
    item.kind = "multi_source"
    assert gold_rank(item, only_law) is None
    both = [p(LIST_PDF, pages=(2, 2)), p(OTHER), p(LAW, "§ 1"), p(LAW, "§ 1")]
    assert gold_rank(item, both) == 3
    # Beyond the top 10 does not count.
    late = [p(LAW, "§ 1")] + [p(OTHER)] * 9 + [p(LIST_PDF, pages=(2, 2))]
    assert gold_rank(item, late) is None


def test_passage_hits_rules() -> None:
    assert passage_hits(p(LAW, "§ 28"), Gold(LAW, "§ 28"))
    assert passage_hits(p(LAW, "§ 27", ["§ 27", "§ 28"]), Gold(LAW, "§ 28"))
    assert passage_hits(p("./" + LAW, "§ 28"), Gold(LAW, "§ 28"))
    assert not passage_hits(p(OTHER, "§ 28"), Gold(LAW, "§ 28"))
    assert not passage_hits(p(LAW, "§ 2"), Gold(LAW, "§ 28"))
    # PDF page ranges, inclusive at both ends; a passage with only page_start is one page.
    assert passage_hits(p(SPEC_PDF, pages=(85, 87)), Gold(SPEC_PDF, "", 85))
    assert passage_hits(p(SPEC_PDF, pages=(85, 87)), Gold(SPEC_PDF, "", 87))
    assert not passage_hits(p(SPEC_PDF, pages=(85, 87)), Gold(SPEC_PDF, "", 88))
    assert passage_hits(p(SPEC_PDF, pages=(86,)), Gold(SPEC_PDF, "", 86))
    assert not passage_hits(p(SPEC_PDF), Gold(SPEC_PDF, "", 86))
    # Section or page: either is enough.
    assert passage_hits(p(SPEC_PDF, "5.2.2"), Gold(SPEC_PDF, "5.2.2", 86))
    assert passage_hits(p(SPEC_PDF, "5.2.1", pages=(86, 86)), Gold(SPEC_PDF, "5.2.2", 86))
    # A gold naming only the file is hit by any passage of that file.
    assert passage_hits(p(SEED), Gold(SEED))
    assert passage_hits(p(SEED, "3"), Gold(SEED))


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 95) == 4.0


def test_no_citations_is_not_applicable(items: list[EvalItem]) -> None:
    plain = {q: SystemOutput(o.passages, False, "", [], 1.0) for q, o in CANNED.items()}
    rep = run_eval(FakeSystem("baseline", plain), items)
    assert rep.metrics.verified_share is None
    assert rep.metrics.refusal_accuracy == 0.0 and rep.metrics.false_refusal_rate == 0.0
    assert "n/a" in format_report([rep])


def test_a_failing_question_is_recorded(items: list[EvalItem]) -> None:
    class Flaky(FakeSystem):
        def run(self, question: str, lang: str) -> SystemOutput:
            if question == "Q1":
                raise RuntimeError("boom")
            return super().run(question, lang)

    seen: list[tuple[int, int]] = []
    rep = run_eval(Flaky("flaky", CANNED), items, progress=lambda d, t: seen.append((d, t)))
    assert rep.results[0].rank is None and "boom" in (rep.results[0].error or "")
    assert rep.metrics.errors == 1 and rep.metrics.hit_at[1] == 0.0
    assert seen[0] == (1, 8) and seen[-1] == (8, 8)
    assert "errors" in format_report([rep])


def test_questions_are_asked_with_their_language(items: list[EvalItem]) -> None:
    system = FakeSystem("Regelrett", CANNED)
    run_eval(system, items)
    assert system.asked[6] == ("Q7", "nn")


def test_dump_run_format(report: EvalReport, tmp_path: Path) -> None:
    path = dump_run(report, tmp_path / "runs" / "regelrett.jsonl")
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 8
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == [f"q{n}" for n in range(1, 9)]
    for r in records:
        assert set(r) == {"id", "passages", "refused", "answer"}
        for passage in r["passages"]:
            assert set(passage) == {"source", "section", "page", "text"}
    assert len(records[2]["passages"]) == 10  # q3 returned 11: cut at 10
    assert records[5]["passages"][1] == {"source": SPEC_PDF, "section": "", "page": 85, "text": "t"}
    assert records[0]["passages"][0]["page"] is None
    assert records[0]["passages"][0]["section"] == "§ 27"
    assert records[5]["refused"] is True and records[7]["refused"] is False
    assert records[0]["answer"] == "answer 0.4"
    assert "§" in lines[0]  # written as UTF-8, not escaped


def test_format_report_side_by_side(report: EvalReport, items: list[EvalItem]) -> None:
    base = run_eval(FakeSystem("baseline (LangChain tutorial)", CANNED), items)
    text = format_report([report, base])
    header = text.splitlines()[1]
    assert "Regelrett" in header and "baseline (LangChain tutorial)" in header
    assert "hit@5" in text and "MRR@10" in text and "0.667" in text and "0.339" in text
    assert "multi_source (n=2)" in text and "lookup (n=3)" in text and "nb (n=4)" in text
    assert "By kind" in text and "By language" in text
    assert text.index("Overall") < text.index("By kind") < text.index("By language")
    assert "60.0% (3/5)" in text
    assert "refused 50.0%" in text


def test_report_to_json(report: EvalReport) -> None:
    data = json.loads(report_to_json(report))
    assert data == report_to_dict(report)
    assert data["system"] == "Regelrett"
    assert data["metrics"]["hit@5"] == pytest.approx(4 / 6)
    assert data["by_kind"]["unanswerable"]["refusal_accuracy"] == 0.5
    assert [i["rank"] for i in data["items"]] == [1, 3, None, 5, None, 2, None, None]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "x", "lang": "nb", "answerable": true, "gold": [], "kind": "lookup"}',
         "missing field 'question'"),
        ('{"id": "x", "question": "?", "lang": "de", "answerable": true, "gold": [], '
         '"kind": "lookup"}', "lang must be one of"),
        ('{"id": "x", "question": "?", "lang": "nb", "answerable": "yes", "gold": [], '
         '"kind": "lookup"}', "'answerable' must be true or false"),
        ('{"id": "x", "question": "?", "lang": "nb", "answerable": true, '
         '"gold": [{"section": "§ 1"}], "kind": "lookup"}', "missing field 'source'"),
        ('{"id": "x", "question": "?", "lang": "nb", "answerable": true, '
         '"gold": [{"source": "a.pdf", "page": 0}], "kind": "lookup"}', "page"),
        ('{"id": "q1", "question": "?", "lang": "nb", "answerable": false, "gold": [], '
         '"kind": "unanswerable"}', "duplicate id 'q1'"),
        ("[1, 2]", "JSON object"),
    ],
)  # fmt: skip
def test_malformed_line_names_the_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    good = [json.dumps(DATASET[0]), json.dumps(DATASET[1]), "", bad_line, json.dumps(DATASET[2])]
    path.write_text("\n".join(good) + "\n", "utf-8")
    with pytest.raises(ValueError, match="line 4") as info:
        load_dataset(path)
    assert message in str(info.value)
    assert "bad.jsonl" in str(info.value)


def test_load_dataset_reads_the_shared_sample(corpus_dir: Path) -> None:
    sample = corpus_dir.parent / "evals" / "dev-sample.jsonl"
    if not sample.is_file():
        pytest.skip(f"no dev sample at {sample}")
    items = load_dataset(sample)
    assert items and all(i.gold or not i.answerable for i in items)


def test_date_validity_items_need_the_right_warning(tmp_path: Path) -> None:
    from evals.harness import CurrencyMark, build_report, format_report, score_item

    new, old = "lover/lov-2025-06-20-81.md", "lover/lov-1967-02-10.md"
    lines = [
        {"id": "d1", "question": "Gjelder den nye loven?", "lang": "nb", "answerable": True,
         "kind": "date_validity", "gold": [{"source": new, "section": "§ 99"}]},
        {"id": "d2", "question": "Gjelder den?", "lang": "nb", "answerable": True,
         "kind": "date_validity", "gold": [{"source": new, "section": "§ 99"}],
         "expect_warning": "not_in_force", "extra_field": "ignored"},
        {"id": "l1", "question": "Hva sier § 1?", "lang": "nb", "answerable": True,
         "kind": "lookup", "gold": [{"source": old, "section": "§ 1"}]},
    ]  # fmt: skip
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    d1, d2, l1 = load_dataset(path)
    assert d2.expect_warning == ["not_in_force"] and d1.expect_warning == []

    def warned(item: object, *marks: CurrencyMark) -> bool | None:
        output = SystemOutput([p(new, "§ 99")], False, "a", [True], 1.0, list(marks))
        return score_item(item, output).right_warning  # type: ignore[arg-type]

    assert warned(d1, CurrencyMark("not_in_force", new, old)) is True
    assert warned(d1, CurrencyMark("repealed", old, new)) is True  # names the gold as applying
    assert warned(d1, CurrencyMark("in_force_since", old)) is False
    assert warned(d1) is False
    assert warned(d2, CurrencyMark("in_force_since", new)) is False  # the wrong kind
    assert warned(d2, CurrencyMark("not_in_force", new)) is True
    assert warned(l1, CurrencyMark("not_in_force", new)) is None
    good = SystemOutput([p(new, "§ 99")], False, "a", [True], 1.0, [CurrencyMark("x", new)])
    plain = SystemOutput([p(new, "§ 99")], False, "a", [True], 1.0)
    report = build_report("s", [score_item(d1, good), score_item(d2, plain)])
    assert report.metrics.date_validity_n == 2 and report.metrics.date_validity_warned == 0.5
    assert "date_validity: right warning" in format_report([report])
    assert "50.0% (1/2)" in format_report([report])
