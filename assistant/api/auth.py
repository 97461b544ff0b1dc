"""Who is calling: the API key (`X-API-Key`, or `Authorization: Bearer`), its scopes, the
origin a widget key is used from, and the rate limits per client IP and per key.

Dependencies are `async` on purpose: they do microseconds of work (a cached key lookup, a token
bucket) and should not cost a trip to the thread pool. When that work goes over the network
(rate limits in Redis, keys in a shared database) it runs in the thread pool instead, so the
event loop never waits on a socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.keys import ApiKey, KeyStoreUnavailable
from assistant.api.problems import ApiProblem
from assistant.api.ratelimit import Limiter
from assistant.api.services import Services, services

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from `regelrett keys create` (starts with rr_).",
)
bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")


@dataclass(frozen=True)
class Caller:
    key: ApiKey | None  # None: no key needed (auth off, or public sources)
    ip: str
    tenant: str = ""  # the key's tenant; without a key the server's (REGELRETT_TENANT)

    @property
    def key_id(self) -> str | None:
        return self.key.id if self.key else None

    @property
    def tenants(self) -> tuple[str, ...]:
        """What the caller may see: the national layer and its own tenant."""
        return ("", self.tenant) if self.tenant else ("",)

    def sees(self, tenant: str) -> bool:
        return tenant in self.tenants


def client_ip(request: Request) -> str:
    # uvicorn sets the client from X-Forwarded-For when the proxy is trusted (--forwarded-allow-ips)
    return request.client.host if request.client else "unknown"


def _limit(limiter: Limiter, bucket: str) -> None:
    wait = limiter.hit(bucket)
    if wait:
        raise ApiProblem(429, "rate_limited", headers={"Retry-After": str(wait)}, seconds=wait)


def _authorise(
    request: Request, svc: Services, presented: str | None, scope: str, optional: bool
) -> Caller:
    ip = client_ip(request)
    _limit(svc.ip_limiter, "ip:" + ip)
    default = svc.settings.tenant
    if svc.settings.server.auth == "off":
        return Caller(None, ip, default)
    if presented is None:
        if optional:
            return Caller(None, ip, default)
        raise ApiProblem(401, "auth_missing", headers={"WWW-Authenticate": "ApiKey"})
    try:
        key = svc.keys.lookup(presented)
    except KeyStoreUnavailable as exc:  # the shared database is away: not ready, not a bug
        raise ApiProblem(503, "not_ready", reason=str(exc)) from exc
    if key is None:
        raise ApiProblem(401, "auth_unknown", headers={"WWW-Authenticate": "ApiKey"})
    if key.kind == "widget":
        if scope == "admin":
            raise ApiProblem(403, "widget_admin")
        origin = request.headers.get("origin")
        if origin is None:
            raise ApiProblem(403, "origin_missing")
        if not key.allows_origin(origin):
            raise ApiProblem(403, "origin", origin=origin[:200])
    if scope not in key.scopes:
        raise ApiProblem(403, "scope", scope=scope)
    _limit(svc.key_limiter, "key:" + key.id)
    return Caller(key, ip, key.tenant)


async def _caller(
    request: Request, svc: Services, presented: str | None, scope: str, optional: bool
) -> Caller:
    if svc.remote_state:
        return await anyio.to_thread.run_sync(_authorise, request, svc, presented, scope, optional)
    return _authorise(request, svc, presented, scope, optional)


def _presented(header: str | None, credentials: HTTPAuthorizationCredentials | None) -> str | None:
    if header:
        return header.strip()
    if credentials is not None and credentials.credentials:
        return credentials.credentials.strip()
    return None


async def require_ask(
    request: Request,
    header: Annotated[str | None, Security(api_key_header)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """A key with scope `ask` (a widget key from one of its origins)."""
    return await _caller(request, services(request), _presented(header, credentials), "ask", False)


async def require_admin(
    request: Request,
    header: Annotated[str | None, Security(api_key_header)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """A server key with scope `admin`."""
    svc = services(request)
    return await _caller(request, svc, _presented(header, credentials), "admin", False)


async def read_sources(
    request: Request,
    header: Annotated[str | None, Security(api_key_header)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """Anyone when sources are public (a key, if sent, must still be valid); else `ask`."""
    svc = services(request)
    optional = svc.settings.server.public_sources
    return await _caller(request, svc, _presented(header, credentials), "ask", optional)


AskCaller = Annotated[Caller, Depends(require_ask)]
AdminCaller = Annotated[Caller, Depends(require_admin)]
SourcesCaller = Annotated[Caller, Depends(read_sources)]
