"""A fake Slack Web API on 127.0.0.1, as bolt-python's own tests use one: the bot's
`WebClient(base_url=...)` points at it. It records every call (method, arguments, headers)
and answers like Slack: `auth.test`, `chat.postMessage`, `chat.postEphemeral`, `chat.update`,
`chat.getPermalink`, `conversations.replies`, `apps.connections.open`; anything else is
`unknown_method`. `response_url`s point at `/respond/<name>` on the same server.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TEAM = "T0HEGGVIK"
BOT_USER = "U0REGELRETT"
BOT_ID = "B0REGELRETT"


@dataclass
class Call:
    method: str  # a Web API method, or "response_url"
    args: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.errors: dict[str, str] = {}  # method -> the error Slack should answer with
        self.ws_url = ""
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str) -> str:
        return f"{self.url}/respond/{name}"

    # -- what tests look at -------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait(
        self,
        method: str,
        where: Callable[[Call], bool] = lambda c: True,
        n: int = 1,
        timeout: float = 60.0,
    ) -> list[Call]:
        """The calls of `method` that satisfy `where`, once there are at least `n`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and where(c)]
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                assert left > 0, f"{method}: {len(found)} of {n} calls; all: {self.methods()}"
                self._cond.wait(left)

    def responses(self, name: str, n: int = 1) -> list[Call]:
        """What was posted to `response_url(name)`."""
        return self.wait("response_url", lambda c: c.path == f"/respond/{name}", n)

    def methods(self) -> list[str]:
        with self._cond:
            return [c.method for c in self.calls]

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()

    # -- the server -----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        content_type = request.headers.get("Content-Type", "")
        if raw and content_type.startswith("application/json"):
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode()))
        headers = {k.lower(): v for k, v in request.headers.items()}
        if parts.path.startswith("/respond/"):
            self._record(Call("response_url", args, headers, parts.path))
            self._send(request, 200, b"ok", "text/plain")
            return
        method = parts.path.removeprefix("/api/")
        self._record(Call(method, args, headers, parts.path))
        body = self._answer(method, args)
        self._send(request, 200, json.dumps(body).encode(), "application/json; charset=utf-8")

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes, kind: str) -> None:
        request.send_response(status)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method in self.errors:
            return {"ok": False, "error": self.errors[method]}
        channel = str(args.get("channel", ""))
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://heggvik.slack.com/",
                "team": "Heggvik-nettverket",
                "user": "regelrett",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts, **args}
            message.pop("channel", None)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts"), "text": args.get("text")}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            link = f"https://heggvik.slack.com/archives/{channel}/p{ts}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method == "conversations.replies":
            messages = self.threads.get((channel, str(args.get("ts"))), [])
            return {"ok": True, "messages": messages, "has_more": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        return {"ok": False, "error": "unknown_method"}
