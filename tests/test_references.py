"""Explicit references resolve to sections, in bokmål, nynorsk and English forms."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval import (
    _diversify,
    _preamble_last,
    _rrf,
    legal_basis_links,
    provision_keys,
)
from assistant.retrieval.lexical import DocInfo, LexicalIndex
from assistant.retrieval.references import ReferenceResolver
from assistant.settings import RetrievalSettings
from assistant.store import StoredChunk


def _doc(source: str, short: str, abbr: str, labels: list[str], lang: str = "nb") -> DocInfo:
    return DocInfo(source, "", short, short, abbr, "law", lang, "in_force", "", set(labels))


DOCS = [
    _doc("offl.md", "Offentleglova", "offl", ["§ 28", "§ 31", "§ 11"], "nn"),
    _doc("fvl.md", "Forvaltningsloven", "fvl", ["§ 11", "§ 11 a", "§ 6"]),
    _doc("koml.md", "Kommuneloven", "", ["§ 13-1", "§ 11-10"]),
    _doc("popplyl.md", "Personopplysningsloven", "", ["§ 1", "Artikkel 6", "Artikkel 35"]),
    _doc(
        "gdpr.xhtml",
        "General Data Protection Regulation",
        "2016/679",
        ["Article 6", "Article 35", "Recital 71"],
        "en",
    ),
    _doc(
        "aiact.xhtml",
        "Artificial Intelligence Act",
        "2024/1689",
        ["Article 5", "Article 50", "Annex III", "Recital 12"],
        "en",
    ),
]


@pytest.fixture(scope="module")
def resolver() -> ReferenceResolver:
    r = RetrievalSettings()
    return ReferenceResolver(DOCS, r.eu_aliases, r.law_aliases)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Kva seier offl. § 28 om klage?", {("offl.md", "§ 28")}),
        ("offentleglova § 31", {("offl.md", "§ 31")}),
        ("Gjelder offentlighetsloven § 11 for oss?", {("offl.md", "§ 11")}),
        ("fvl § 11 a", {("fvl.md", "§ 11 a")}),
        ("Hva betyr fvl. §11a i praksis?", {("fvl.md", "§ 11 a")}),
        ("kommuneloven § 13-1", {("koml.md", "§ 13-1")}),
        ("Etter koml. § 11-10 …", {("koml.md", "§ 11-10")}),
        ("Kva seier kommunelova § 13 - 1?", {("koml.md", "§ 13-1")}),
        (
            "GDPR art. 6 nr. 1 bokstav f",
            {("gdpr.xhtml", "Article 6"), ("popplyl.md", "Artikkel 6")},
        ),
        (
            "Hva krever personvernforordningen artikkel 35?",
            {("gdpr.xhtml", "Article 35"), ("popplyl.md", "Artikkel 35")},
        ),
        ("art. 50 KI-forordningen", {("aiact.xhtml", "Article 50")}),
        ("AI Act Article 5", {("aiact.xhtml", "Article 5")}),
        ("Article 5(1)(f) of the AI Act", {("aiact.xhtml", "Article 5")}),
        ("Hva står i vedlegg III til KI-forordningen?", {("aiact.xhtml", "Annex III")}),
        ("Annex III AI Act", {("aiact.xhtml", "Annex III")}),
        ("KI-forordningen fortalepunkt 12", {("aiact.xhtml", "Recital 12")}),
        ("GDPR recital 71", {("gdpr.xhtml", "Recital 71")}),
    ],
)
def test_reference_forms(resolver: ReferenceResolver, question: str, expected: set) -> None:
    found = {(r.source_id, r.label) for r in resolver.resolve(question)}
    assert found == expected


def test_a_bare_section_matches_every_law_that_has_it(resolver: ReferenceResolver) -> None:
    refs = resolver.resolve("Hva sier § 11?")
    assert {(r.source_id, r.label) for r in refs} == {("offl.md", "§ 11"), ("fvl.md", "§ 11")}
    assert not any(r.explicit_law for r in refs)


@pytest.mark.parametrize(
    "question",
    [
        "Kan vi sende vedtaket som vedlegg i e-post?",  # an attachment, not Annex I
        "Vi fikk saken 2024/1234 inn i går.",
        "Fristen er tre uker.",
    ],
)
def test_no_false_references(resolver: ReferenceResolver, question: str) -> None:
    assert resolver.resolve(question) == []


def test_scope_names_and_topics(resolver: ReferenceResolver) -> None:
    topics = RetrievalSettings().act_topics
    named, implied = resolver.scope("Hva krever KI-forordningen av oss?", topics)
    assert named == {"aiact.xhtml"} and implied == set()
    named, implied = resolver.scope("Vi vil bruke et KI-system i barnevernet", topics)
    assert named == set() and implied == {"aiact.xhtml"}
    named, _ = resolver.scope("Gjelder offentleglova for selskapet?", topics)
    assert named == {"offl.md"}


def test_scope_groups_one_per_law_or_act(resolver: ReferenceResolver) -> None:
    topics = RetrievalSettings().act_topics
    question = "Kan DPIA etter GDPR også dekke vurderingen KI-forordningen krever?"
    named, implied = resolver.scope_groups(question, topics)
    # in the question's order; the GDPR's group holds its Norwegian rendition too
    assert named == [frozenset({"gdpr.xhtml", "popplyl.md"}), frozenset({"aiact.xhtml"})]
    assert implied == []
    flat, _ = resolver.scope(question, topics)
    assert flat == {"gdpr.xhtml", "popplyl.md", "aiact.xhtml"}
    # a law named twice is one group
    named, _ = resolver.scope_groups("offentleglova § 28 og offl. § 31", topics)
    assert named == [frozenset({"offl.md"})]
    # a topic that points to an act already named adds no group of its own
    named, implied = resolver.scope_groups("Er KI-systemet forbudt etter KI-forordningen?", topics)
    assert named == [frozenset({"aiact.xhtml"})] and implied == []


def test_weighted_rrf_and_diversity() -> None:
    fused = _rrf([(1.0, [1, 2, 3], "a"), (2.0, [3, 4], "b")], k=60)
    assert [i for i, _ in fused][:2] == [3, 4]
    scores = dict(fused)
    assert scores[3] == pytest.approx(1 / 63 + 2 / 61)
    chunks = [
        StoredChunk(str(i), f"tekst {i}", {"source_id": "a.md", "section": sec, "language": "nb"})
        for i, sec in enumerate(["§ 1", "§ 1", "§ 2"])
    ]
    index = LexicalIndex(chunks)
    ranked = _diversify([(0, 0.3), (1, 0.2), (2, 0.1)], provision_keys(index, set()))
    assert [i for i, _ in ranked] == [0, 2, 1]


def test_both_renditions_of_a_gdpr_article_count_as_one_provision() -> None:
    eu = {"doc_type": "eu_regulation", "abbreviation": "2016/679", "language": "en"}
    chunks = [
        StoredChunk("0", "tekst", {"source_id": "popplyl.md", "section": "Artikkel 35"}),
        StoredChunk("1", "text", {**eu, "source_id": "gdpr.xhtml", "section": "Article 35"}),
        StoredChunk("2", "text", {**eu, "source_id": "gdpr.xhtml", "section": "Article 36"}),
        StoredChunk("3", "tekst", {"source_id": "popplyl.md", "section": "§ 35"}),
    ]
    keys = provision_keys(LexicalIndex(chunks), {"popplyl.md"})
    assert keys[0] == keys[1] == ("2016/679", "Article 35")
    assert len({keys[0], keys[2], keys[3]}) == 3
    ranked = _diversify([(0, 0.4), (1, 0.3), (2, 0.2), (3, 0.1)], keys)
    assert [i for i, _ in ranked] == [0, 2, 3, 1]


def test_recitals_yield_to_articles_unless_referred_to() -> None:
    chunks = [
        StoredChunk("0", "recital", {"source_id": "a", "section": "Recital 1", "kind": "recital"}),
        StoredChunk("1", "article", {"source_id": "a", "section": "Article 1", "kind": "article"}),
    ]
    index = LexicalIndex(chunks)
    ranked = [(0, 0.30), (1, 0.20)]
    assert [i for i, _ in _preamble_last(ranked, index, 0.5, set())] == [1, 0]
    assert [i for i, _ in _preamble_last(ranked, index, 0.5, {0})] == [0, 1]
    assert _preamble_last(ranked, index, 1.0, set()) == ranked


def test_questions_about_when_a_rule_applies_are_recognised() -> None:
    from assistant.retrieval import _COMMENCEMENT, _WHEN

    assert _WHEN.search("Gjelder forbudene i KI-forordningen allerede nå?")
    assert _WHEN.search("Is the Digital Security Act in force yet?")
    assert _WHEN.search("Når tek arkivlova til å gjelde?") is not None
    assert not _WHEN.search("Hva er et saksdokument?")
    assert _COMMENCEMENT.search(
        "Artificial Intelligence Act Article 113 Entry into force and application"
    )
    assert _COMMENCEMENT.search("Arkivlova § 30 Ikraftsetjing")


@pytest.mark.parametrize(
    "question",
    [
        "Hva regnes egentlig som et KI-system etter KI-forordningen?",
        "Hva er egentlig et saksdokument?",
        "Kva er skilnaden på å deponere og å avlevere arkiv?",
        "Hva er forskjellen på vedtak og enkeltvedtak?",
        "What counts as a remote meeting under the Local Government Act?",
        "Is the municipality a 'deployer' when staff use a licensed tool?",
        "Hva menes med «behandlingsansvarlig»?",
        "Er dataene anonyme, eller er dette det GDPR kaller pseudonymisering?",
        "Are we what the AI Act calls a deployer?",
        "Kva meiner den nye arkivlova med dokumentasjon?",
        "Hva mener forvaltningsloven med enkeltvedtak?",
    ],
)
def test_questions_about_what_a_word_means(question: str) -> None:
    from assistant.retrieval import _DEFINITION_QUESTION

    assert _DEFINITION_QUESTION.search(question)


@pytest.mark.parametrize(
    "question",
    [
        "Hva er fristen for å svare på et innsynskrav?",
        "Hvor lenge må vi ta vare på loggene?",
        "Kan vi ta betalt for kopier?",
        "What must a DPIA contain?",
        "Hvem kaller inn til møtet i kontrollutvalget?",
        "Hva mener du vi bør gjøre med loggene?",
    ],
)
def test_other_questions_are_not_about_definitions(question: str) -> None:
    from assistant.retrieval import _DEFINITION_QUESTION

    assert not _DEFINITION_QUESTION.search(question)


def test_definition_provisions_in_scope_closest_first() -> None:
    from assistant.retrieval import Retriever
    from assistant.settings import Settings

    def chunk(i: int, source: str, header: str, vec: list[float]) -> StoredChunk:
        meta = {"source_id": source, "section": header.split(" ", 1)[1], "header": header}
        return StoredChunk(str(i), "tekst", meta, vector=np.array(vec, dtype=np.float32))

    index = LexicalIndex(
        [
            chunk(0, "offl.md", "Offentleglova § 4 Definisjonar", [1.0, 0.0]),
            chunk(1, "offl.md", "Offentleglova § 3 Hovudregel", [1.0, 0.0]),
            chunk(2, "ai.xhtml", "AI Act Article 3 Definitions", [0.6, 0.8]),
            chunk(3, "ai.xhtml", "AI Act Article 3 Definitions", [0.0, 1.0]),
            chunk(4, "fvl.md", "Forvaltningsloven § 2 Begreper", [0.8, 0.6]),
            # a standard's glossary defines its terms too
            chunk(5, "noark.pdf", "Noark 5 7 Ordforklaringer", [0.5, 0.5]),
        ]
    )
    retriever = Retriever(Settings(), store=None, embedder=None)  # type: ignore[arg-type]
    allowed = np.ones(len(index), dtype=bool)
    question = np.array([0.0, 1.0], dtype=np.float32)
    assert retriever._definitions(index, {"ai.xhtml"}, allowed, question) == [3, 2]
    # no source in scope: every definition provision, the closest first
    assert retriever._definitions(index, set(), allowed, question) == [3, 2, 5, 4, 0]
    allowed[3] = False  # filtered out (another tenant's, say): never returned
    assert retriever._definitions(index, {"ai.xhtml"}, allowed, question) == [2]


@pytest.mark.parametrize(
    "question",
    [
        "Hva er fristen for å svare på et innsynskrav?",
        "Kor lang tid har eg på meg til å klage?",
        "Hvor lenge må vi ta vare på loggene?",
        "How long do we have to respond, and can we get more time?",
        "Within how many hours must we notify the authority?",
        "Hvor raskt må vi varsle Datatilsynet?",
        "What is the deadline for appealing a decision?",
    ],
)
def test_questions_about_a_time_limit(question: str) -> None:
    from assistant.retrieval import _DEADLINE_QUESTION

    assert _DEADLINE_QUESTION.search(question)


@pytest.mark.parametrize(
    "question",
    [
        "Kan vi ta betalt for kopier?",
        "Hva betyr restanse?",
        "Who is the appeal body for access decisions?",
        "Må vi varsle noen om dataangrepet?",
    ],
)
def test_other_questions_are_not_about_a_time_limit(question: str) -> None:
    from assistant.retrieval import _DEADLINE_QUESTION

    assert not _DEADLINE_QUESTION.search(question)


@pytest.mark.parametrize(
    "text",
    [
        "Klagen må sendast innan tre veker etter at vedtaket er kome fram.",
        "Varselet skal sendes snarest mulig og senest innen 24 timer.",
        "The controller shall respond within one month of receipt of the request.",
        "Klagefristen er tre uker.",
        "notify the personal data breach without undue delay",
        "Loggene skal lagres i minst seks måneder.",
    ],
)
def test_passages_that_set_a_time_limit(text: str) -> None:
    from assistant.retrieval import _TIME_LIMIT

    assert _TIME_LIMIT.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Organet skal føre journal etter reglane i arkivlova.",
        "The deployer shall inform the natural persons concerned.",
        "Kommunestyret kan vedta reglement for saksbehandlingen.",
    ],
)
def test_passages_without_a_time_limit(text: str) -> None:
    from assistant.retrieval import _TIME_LIMIT

    assert not _TIME_LIMIT.search(text)


def test_time_limit_passages_in_scope_closest_first() -> None:
    from assistant.retrieval import Retriever
    from assistant.settings import Settings

    def chunk(i: int, source: str, text: str, vec: list[float]) -> StoredChunk:
        meta = {"source_id": source, "section": f"§ {i}", "header": f"Lov § {i}"}
        return StoredChunk(str(i), text, meta, vector=np.array(vec, dtype=np.float32))

    index = LexicalIndex(
        [
            chunk(0, "fvl.md", "Klagefristen er tre uker.", [1.0, 0.0]),
            chunk(1, "fvl.md", "Klagen skal være skriftlig.", [0.0, 1.0]),
            chunk(2, "offl.md", "Innsynskrav skal avgjøres uten ugrunnet opphold.", [0.6, 0.8]),
            chunk(3, "offl.md", "Organet skal gi innsyn i journalen.", [0.0, 1.0]),
            chunk(4, "fvl.md", "Fristen kan forlenges med to uker.", [0.8, 0.6]),
        ]
    )
    retriever = Retriever(Settings(), store=None, embedder=None)  # type: ignore[arg-type]
    allowed = np.ones(len(index), dtype=bool)
    question = np.array([0.0, 1.0], dtype=np.float32)
    # only the passages that set a time limit, the closest to the question first
    assert retriever._deadlines(index, {"fvl.md"}, allowed, question) == [4, 0]
    assert retriever._deadlines(index, set(), allowed, question) == [2, 4, 0]
    allowed[4] = False  # filtered out (another tenant's, say): never returned
    assert retriever._deadlines(index, {"fvl.md"}, allowed, question) == [0]


def test_the_situation_before_the_question_is_searched_on_its_own() -> None:
    from assistant.retrieval import _question_sentences

    two = "Vi sender vedtak til digital postkasse. Hva skjer hvis noen ikke åpner vedtaket?"
    assert _question_sentences(two) == ["Vi sender vedtak til digital postkasse."]
    three = (
        "Kommunen vil bruke en chatbot på nettsiden. Den svarer innbyggere om byggesaker. "
        "Må vi opplyse om at det er en KI?"
    )
    assert _question_sentences(three) == [
        "Kommunen vil bruke en chatbot på nettsiden.",
        "Den svarer innbyggere om byggesaker.",
    ]
    assert _question_sentences("Hva sier offl. § 28 om innsyn?") == []


def test_the_rendition_in_the_questions_language_takes_the_provisions_place() -> None:
    eu = {"doc_type": "eu_regulation", "abbreviation": "2016/679", "language": "en"}
    chunks = [
        StoredChunk("0", "text", {**eu, "source_id": "gdpr.xhtml", "section": "Article 35"}),
        StoredChunk("1", "tekst", {"source_id": "popplyl.md", "section": "§ 1", "language": "nb"}),
        StoredChunk(
            "2", "tekst", {"source_id": "popplyl.md", "section": "Artikkel 35", "language": "nb"}
        ),
    ]
    index = LexicalIndex(chunks)
    keys = provision_keys(index, {"popplyl.md"})
    ranked = [(0, 0.3), (1, 0.2), (2, 0.1)]
    assert [i for i, _ in _diversify(ranked, keys, index.languages, "no")] == [2, 1, 0]
    assert [i for i, _ in _diversify(ranked, keys, index.languages, "en")] == [0, 1, 2]


def test_a_second_source_gets_the_last_place_when_one_source_fills_the_top() -> None:
    from assistant.retrieval import _mix_sources

    chunks = [
        StoredChunk(str(i), "tekst", {"source_id": src, "section": f"§ {i}"})
        for i, src in enumerate(["lov.md"] * 6 + ["forskrift.md"])
    ]
    index = LexicalIndex(chunks)
    ranked = [(i, 1.0 - i / 10) for i in range(7)]
    assert [i for i, _ in _mix_sources(ranked, index, 5)] == [0, 1, 2, 3, 6, 4, 5]
    assert _mix_sources(ranked, index, 0) == ranked
    mixed = [(6, 1.0), *ranked[:6]]
    assert _mix_sources(mixed, index, 5) == mixed  # already two sources in the top five


def test_laws_that_are_not_among_the_sources(resolver: ReferenceResolver) -> None:
    question = "Hva er fristen etter plan- og bygningsloven, og gjelder KI-loven?"
    assert resolver.unknown_laws(question) == ["plan- og bygningsloven", "KI-loven"]
    # known names in any inflection or written form are not unknown; general words are no names
    for known in (
        "Kva seier offentleglovas § 28?",
        "forvaltningslova § 11",
        "Hva sier loven, lovene og særlovene om dette?",
        "Er det en ny lov?",
    ):
        assert resolver.unknown_laws(known) == [], known


def test_eu_acts_and_other_countries_laws_the_sources_do_not_hold() -> None:
    docs = [_doc("gdpr.xhtml", "General Data Protection Regulation", "2016/679", ["Article 5"])]
    r = RetrievalSettings()
    resolver = ReferenceResolver(docs, r.eu_aliases, r.law_aliases)
    assert resolver.unknown_laws("Is a municipality an essential entity under NIS2?") == ["NIS2"]
    assert resolver.unknown_laws("Hva sier den svenske offentlighets- och sekretesslagen?") == [
        "den svenske offentlighets- och sekretesslagen"
    ]
    # the whole name stands for the part a Norwegian law name matched
    assert resolver.unknown_laws("Kva seier den danske persondataloven?") == [
        "den danske persondataloven"
    ]
    # an EU act the sources hold, or another country named without its law, is no unknown law
    assert resolver.unknown_laws("Gjelder GDPR for en amerikansk skytjeneste?") == []
    assert resolver.unknown_laws("Can we use a German cloud provider under GDPR?") == []
    # collective agreements are never among the sources
    assert resolver.unknown_laws("Hva er minstelønnen etter hovedtariffavtalen?") == [
        "hovedtariffavtalen"
    ]
    assert resolver.unknown_laws("Kva seier særavtala om reise?") == ["særavtala"]
    assert resolver.unknown_laws("Må databehandleravtalen følge GDPR?") == []


def test_government_circulars_and_papers_are_known_only_when_held() -> None:
    held = _doc("digi.md", "Digitaliseringsrundskrivet 2026", "", ["1"])
    r = RetrievalSettings()
    without = ReferenceResolver(DOCS, r.eu_aliases, r.law_aliases)
    within = ReferenceResolver([*DOCS, held], r.eu_aliases, r.law_aliases)
    question = "Hva sier Digitaliseringsrundskrivet om skytjenester?"
    assert without.unknown_laws(question) == ["Digitaliseringsrundskrivet"]
    assert within.unknown_laws(question) == []
    assert within.unknown_laws("Kva seier digitaliseringsrundskrivets punkt 2?") == []
    assert without.unknown_laws("Følger dette av Meld. St. 22 om data?") == ["Meld. St. 22"]
    assert without.unknown_laws("Hva sa NOU 2019: 9 om arkiv?") == ["NOU 2019: 9"]
    # an act named in English is known by the English names in the settings
    assert without.unknown_laws("What does the Working Environment Act say?") == [
        "Working Environment Act"
    ]
    assert without.unknown_laws("Does the Freedom of Information Act apply?") == []
    # other English names people give the held acts are names of them too
    assert without.unknown_laws("Does the Norwegian Data Protection Act allow this?") == []
    assert without.unknown_laws("Does the Administration Act require a reason?") == []
    assert without.unknown_laws("Under the AI Act, is this prohibited?") == []
    assert without.unknown_laws("What does Sweden's Secrecy Act say about logs?") == [
        "Sweden's Secrecy Act"
    ]
    # the word alone names no circular
    assert without.unknown_laws("Kan et rundskriv gå foran loven?") == []


def test_nynorsk_heit_spelling_of_a_law_name() -> None:
    docs = [_doc("dsl.md", "Digitalsikkerhetsloven", "", ["§ 1"])]
    r = RetrievalSettings()
    resolver = ReferenceResolver(docs, r.eu_aliases, r.law_aliases)
    assert resolver.laws_in("Kva krev digitalsikkerheitslova § 1?") == [(9, {"dsl.md"})]
    assert resolver.unknown_laws("Kva krev digitalsikkerheitslova?") == []


def test_the_new_act_of_two_under_one_name() -> None:
    def act(source: str, adopted: str) -> DocInfo:
        return DocInfo(
            source, "", "Arkivlova", "Arkivlova", "", "law", "nn", "in_force", "", {"§ 9"}, adopted
        )

    old, new = act("arkl-1992.md", "1992-12-04"), act("arkl-2025.md", "2025-06-20")
    r = RetrievalSettings()
    resolver = ReferenceResolver([old, new], r.eu_aliases, r.law_aliases)
    both = frozenset({"arkl-1992.md", "arkl-2025.md"})
    assert resolver.scope_groups("Kva seier arkivlova om deponering?", {})[0] == [both]
    for question in ("Kva seier den nye arkivlova?", "Gjeld ny arkivlova no?"):
        assert resolver.scope_groups(question, {})[0] == [frozenset({"arkl-2025.md"})]
    assert {x.source_id for x in resolver.resolve("den nye arkivlova § 9")} == {"arkl-2025.md"}
    assert {x.source_id for x in resolver.resolve("arkivlova § 9")} == set(both)
    # whether the old act still applies is settled by the new one: both stay
    assert resolver.scope_groups("Gjeld den gamle arkivlova framleis?", {})[0] == [both]
    # "new" a few words away qualifies something else
    assert resolver.scope_groups("nye reglar om arkiv i arkivlova", {})[0] == [both]
    # without dates nothing is narrowed
    undated = ReferenceResolver([act("a.md", ""), act("b.md", "")], {}, {})
    assert undated.scope_groups("den nye arkivlova", {})[0] == [frozenset({"a.md", "b.md"})]


def test_an_english_regulations_name_also_names_them_in_the_singular() -> None:
    docs = [
        _doc("dsl.md", "Digitalsikkerhetsloven", "", ["§ 8"]),
        _doc("dsf.md", "Digitalsikkerhetsforskriften", "", ["§ 17"]),
        _doc("ark.md", "Arkivforskrifta", "", ["§ 1"]),
    ]
    r = RetrievalSettings()
    resolver = ReferenceResolver(docs, r.eu_aliases, r.law_aliases)
    for question in (
        "What deadline does the Norwegian digital security regulation set?",
        "What deadline do the Digital Security Regulations set?",
    ):
        assert resolver.scope_groups(question, {})[0] == [frozenset({"dsf.md"})]
    # the act keeps its own name, and "the archive regulation" is the archives regulations
    assert resolver.scope_groups("Under the Digital Security Act", {})[0] == [frozenset({"dsl.md"})]
    assert resolver.scope_groups("Does the archive regulation say?", {})[0] == [
        frozenset({"ark.md"})
    ]
    assert resolver.unknown_laws("Does the digital security regulation apply?") == []


def test_regulations_are_linked_to_the_law_they_keep_naming() -> None:
    def chunk(i: int, source: str, doc_type: str, short: str, text: str) -> StoredChunk:
        meta = {"source_id": source, "doc_type": doc_type, "short_title": short, "section": "§ 1"}
        return StoredChunk(str(i), text, meta)

    chunks = [
        chunk(0, "arkivlova.md", "law", "Arkivlova", "Lova gjeld for offentlege organ."),
        chunk(1, "offl.md", "law", "Offentleglova", "Alle kan krevje innsyn."),
        chunk(2, "stray.md", "law", "Kommunelova", "Kommunen er eit eige rettssubjekt."),
        # names arkivlova five times, offentleglova twice: linked to the first only
        *(
            chunk(3 + i, "arkivforskrifta.md", "regulation", "Arkivforskrifta", text)
            for i, text in enumerate(
                [
                    "etter arkivlova § 5 og arkivlova § 6",
                    "jf. arkivlova § 8",
                    "arkivlova § 12",
                    "arkivlova § 3, sjå òg offentleglova § 3 og offentleglova § 4",
                ]
            )
        ),
        # a guide that names a law often is not a regulation given under it
        *(chunk(10 + i, "rettleiar.md", "guidance", "", "kommunelova § 1") for i in range(6)),
    ]
    index = LexicalIndex(chunks)
    docs = list(index.docs.values())
    links = legal_basis_links(index, ReferenceResolver(docs, {}, {}))
    assert links == {
        "arkivforskrifta.md": {"arkivlova.md"},
        "arkivlova.md": {"arkivforskrifta.md"},
    }
    # with a lower bar the law named twice counts too
    loose = legal_basis_links(index, ReferenceResolver(docs, {}, {}), least=2, share=0.3)
    assert loose["arkivforskrifta.md"] == {"arkivlova.md", "offl.md"}


def test_a_section_letter_is_found_spaced_or_not() -> None:
    # uu-forskriften numbers "§ 4c." without a space, forvaltningsloven "§ 11 a." with one
    docs = [
        _doc("uu.md", "Uu-forskriften", "", ["§ 4", "§ 4c"]),
        _doc("fvl.md", "Forvaltningsloven", "fvl", ["§ 11", "§ 11 a"]),
    ]
    r = RetrievalSettings()
    resolver = ReferenceResolver(docs, r.eu_aliases, r.law_aliases)
    for question in ("uu-forskriften § 4 c", "uu-forskriften § 4c", "Hva sier uu-forskriften §4c?"):
        assert {(x.source_id, x.label) for x in resolver.resolve(question)} == {("uu.md", "§ 4c")}
    for question in ("fvl § 11a", "fvl § 11 a"):
        assert {(x.source_id, x.label) for x in resolver.resolve(question)} == {
            ("fvl.md", "§ 11 a")
        }


def test_a_guide_or_standard_is_named_by_the_names_set_for_its_source_id() -> None:
    guide = _doc("dpia/cnil-pia-1-en-methodology.pdf", "", "", ["1", "4.2"], "en")
    standard = _doc("noark/Noark5_spesifikasjon.pdf", "", "", ["6.4.1"])
    r = RetrievalSettings()
    names = {"*cnil-pia-*": ["CNIL"], "*Noark5*": ["Noark 5", "Noark"]}
    resolver = ReferenceResolver([*DOCS, guide, standard], r.eu_aliases, r.law_aliases, names)
    named, _ = resolver.scope_groups("What are the steps of the CNIL's PIA method?", {})
    assert named == [frozenset({guide.source_id})]
    named, _ = resolver.scope_groups("Hva betyr restanse i Noark 5, og gjelder offl. § 28?", {})
    assert named == [frozenset({standard.source_id}), frozenset({"offl.md"})]
    assert resolver.laws_in("I Noarkstandarden står det …")[0][1] == {standard.source_id}
    # without names for them, neither is named
    plain = ReferenceResolver([*DOCS, guide, standard], r.eu_aliases, r.law_aliases)
    assert plain.scope_groups("What are the steps of the CNIL's PIA method?", {}) == ([], [])
