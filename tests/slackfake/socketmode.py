"""A fake Slack Socket Mode server on 127.0.0.1 (a WebSocket server speaking Slack's envelope
protocol): on connect it sends `hello`; `send()` delivers an envelope (`events_api`,
`slash_commands`, `interactive`) and `ack()` waits for the client's acknowledgement
(`{"envelope_id": ..., "payload"?: ...}`). The fake Web API's `apps.connections.open` returns
this server's ws:// URL."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self.connected = threading.Event()
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._stopping = threading.Event()

    def start(self) -> FakeSocketMode:
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket&app_id=A0REGELRETT"

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        retry_attempt: int = 0,
        envelope_id: str | None = None,
    ) -> str:
        """Deliver one envelope; returns its id."""
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = "timeout" if retry_attempt else ""
        self._outbox.put(envelope)
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                assert left > 0, f"no ack for {envelope_id}; acks: {list(self.acks)}"
                self._cond.wait(left)
            return self.acks[envelope_id]

    def _handle(self, ws: ServerConnection) -> None:
        ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "A0REGELRETT"},
                }
            )
        )
        self.connections += 1
        self.connected.set()
        try:
            while not self._stopping.is_set():
                with contextlib.suppress(queue.Empty):
                    ws.send(json.dumps(self._outbox.get_nowait()))
                try:
                    raw = ws.recv(timeout=0.02)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if "envelope_id" in message:
                    with self._cond:
                        self.acks[message["envelope_id"]] = message
                        self._cond.notify_all()
        except ConnectionClosed:
            pass
