"""Static files of the web surface (the widget script, the page stylesheet), served from memory
with an ETag, a short cache lifetime and a precompressed gzip variant."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request, Response

STATIC = Path(__file__).resolve().parent / "static"

# Short enough that a new widget version reaches every embedding page within minutes, long
# enough that a page view does not refetch it; the ETag makes revalidation cheap.
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str

    @classmethod
    def load(cls, name: str, media_type: str) -> Asset:
        body = (STATIC / name).read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body, gzip.compress(body, 9, mtime=0), media_type, f'"{digest}"')

    def response(self, request: Request) -> Response:
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "ETag": self.etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
            # the widget is embedded by other sites' pages: let them load it
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type=self.media_type, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def _etags(value: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in value.split(",") if tag.strip()}
