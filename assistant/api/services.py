"""What the API's routes share in one process: the store, embedder and Assistant (opened in the
lifespan and warmed up in the background), the key and feedback stores, the rate limiters and
the link to Redis (rate limits shared by all processes when REGELRETT_REDIS_URL is set)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from fastapi import Request

from assistant.answer import Assistant
from assistant.api.feedback import FeedbackStore
from assistant.api.keys import DEMO_NAME, KeyStore
from assistant.api.problems import ApiProblem
from assistant.api.ratelimit import make_limiter
from assistant.audit import AuditUnavailable
from assistant.audit.recorder import Recorder
from assistant.catalogue import Catalogue
from assistant.embeddings import Embedder, make_embedder
from assistant.observability.metrics import Metrics
from assistant.redis_link import RedisLink
from assistant.settings import Settings
from assistant.store import StoreError, VectorStore, open_store
from ingest.pipeline import IngestReport

log = logging.getLogger("regelrett.api")

WARM_UP_WAIT_S = 120.0


class Services:
    """Cheap to construct; `open()` in the lifespan, `close()` after it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = KeyStore.for_settings(settings)  # the shared database's, when set
        self.feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
        self.metrics = Metrics()
        # the audit log, metrics and answer log line: what every surface calls after answer()
        self.recorder = Recorder.for_settings(settings, self.metrics)
        # shared by every process through Redis when REGELRETT_REDIS_URL is set
        self.redis = RedisLink.from_settings(settings, self.metrics.redis_fallback)
        self.ip_limiter = make_limiter(settings.server.rate_per_minute_ip, "api-ip", self.redis)
        self.key_limiter = make_limiter(settings.server.rate_per_minute_key, "api-key", self.redis)
        self.store: VectorStore | None = None
        self.store_error: str | None = None
        self.embedder: Embedder | None = None
        self.assistant: Assistant | None = None
        self.warm_error: str | None = None
        self.ready = threading.Event()
        self.ingest_lock = threading.Lock()
        self.demo_key: str | None = None
        # called after each admin ingest (the Slack digest registers here)
        self.after_ingest: list[Callable[[IngestReport], None]] = []
        self._warmer: threading.Thread | None = None
        self._catalogue: Catalogue | None = None
        self.after_ingest.append(self.metrics.ingested)
        self.after_ingest.append(self.recorder.sources_changed)

    @property
    def remote_state(self) -> bool:
        """Rate limits or keys live on another machine (Redis, the shared database): checking
        a request waits on the network."""
        return self.redis is not None or self.settings.database.url is not None

    # -- life cycle --------------------------------------------------------------------------

    def open(self) -> None:
        self._open_audit()
        if self.redis is not None and self.redis.check() is None:
            log.info("redis: shared rate limits at %s", self.redis.where)
        try:
            self.store = open_store(self.settings)
        except StoreError as exc:
            self.store_error = str(exc)
            return
        self.embedder = make_embedder(self.settings.embedder.backend)
        self.assistant = Assistant(self.settings, self.store, self.embedder)
        self._warmer = threading.Thread(target=self._warm_up, name="warm-up", daemon=True)
        self._warmer.start()

    def _open_audit(self) -> None:
        """Migrate the audit schema; a database that is away does not stop the service (it is
        tried again on the next write, and /readyz shows `audit: degraded`)."""
        audit = self.recorder.audit
        if audit is None:
            return
        try:
            audit.open()
        except AuditUnavailable as exc:
            audit.degraded = str(exc)
            self.metrics.audit_failed("migrate")
            log.warning("audit: database unavailable at start: %s", exc)

    def _warm_up(self) -> None:
        """Load the embedding model and the lexical index before the first question."""
        assistant = self.assistant
        assert assistant is not None
        try:
            assistant.warm_up()
            assistant.retriever.embedder.embed_query("oppvarming")
        except Exception as exc:
            log.exception("warm-up failed")
            self.warm_error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()

    def create_demo_key(self, given: str | None = None) -> None:
        """The widget key of the demo page, bound to this host and port (replaced each start),
        or the one a parent process created for all its workers."""
        if given is not None:
            self.demo_key = given
            return
        s = self.settings.server
        hosts = [h for h in (s.host, "127.0.0.1", "localhost") if h not in {"0.0.0.0", "::"}]
        origins = [
            f"http://[{h}]:{s.port}" if ":" in h else f"http://{h}:{s.port}"
            for h in dict.fromkeys(hosts)
        ]
        # in a shared key table every server has its own demo key, or each start would
        # replace the others'
        name = f"{DEMO_NAME}@{socket.gethostname()}:{s.port}" if self.keys.shared else DEMO_NAME
        self.demo_key, _ = self.keys.create(
            name,
            ["ask"],
            kind="widget",
            origins=origins,
            replace=True,
            tenant=self.settings.tenant,
        )

    def close(self) -> None:
        if self._warmer is not None:
            self._warmer.join()
        if self.store is not None:
            self.store.close()
        closing = getattr(self.embedder, "close", None)  # an embedding server's HTTP client
        if callable(closing):
            closing()
        self.keys.close()
        self.feedback.close()
        self.recorder.close()
        if self.redis is not None:
            self.redis.close()

    # -- for routes --------------------------------------------------------------------------

    def readiness(self) -> str | None:
        """None when ready, else why not."""
        if self.store is None:
            return self.store_error or "store not open"
        if not self.ready.is_set():
            return "warming up (loading the embedder and the index)"
        return self.warm_error

    def store_down(self, exc: BaseException) -> str:
        """Why a question failed when the store went away after start (a Chroma server that
        was stopped or killed): the reason of the 503."""
        where = self.settings.chroma.url
        target = f"the Chroma server at {where}" if where else "the vector store"
        return f"cannot reach {target} ({type(exc).__name__}: {str(exc)[:200]})"

    def ready_assistant(self) -> Assistant:
        """The Assistant, after warm-up (waits for it); 503 when it cannot answer."""
        if self.store is None or self.assistant is None:
            raise ApiProblem(503, "not_ready", reason=self.readiness())
        self.ready.wait(WARM_UP_WAIT_S)
        reason = self.readiness()
        if reason is not None:
            raise ApiProblem(503, "not_ready", reason=reason)
        return self.assistant

    def catalogue(self) -> Catalogue:
        index = self.ready_assistant().retriever.index()
        cached = self._catalogue
        if cached is None or cached.index is not index:
            cached = Catalogue(index)
            self._catalogue = cached
        return cached

    def content_changed(self) -> None:
        """After an admin ingest or removal: a fresh Assistant, whose retriever loads the new
        lexical index at once (the old one would notice within a couple of seconds)."""
        assert self.store is not None and self.embedder is not None
        assistant = Assistant(self.settings, self.store, self.embedder)
        assistant.retriever.index()
        self.assistant = assistant
        self._catalogue = None

    def ingest_done(self, report: IngestReport) -> None:
        """Tell the `after_ingest` hooks; a failing hook is logged, never fails the ingest."""
        for hook in self.after_ingest:
            try:
                hook(report)
            except Exception:
                log.exception("after-ingest hook failed")

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc
