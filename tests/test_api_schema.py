"""Schema-based tests: schemathesis generates requests from our OpenAPI spec and checks that no
response is a 5xx and that every response matches the spec (status, content type, headers,
body schema), and that invalid data is rejected with a 4xx.

Runs with keys on and an `ask` key: admin operations answer 403 (ingesting a generated path
would read the disk at random), everything else is exercised for real.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from assistant.api.keys import KeyStore
from assistant.server import create_app
from assistant.settings import Settings
from tests.api_support import build

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    built = build(tmp_path_factory.mktemp("api-schema"), "api-schema")
    server = built.server.model_copy(update={"auth": "keys", "demo_key": False})
    return built.model_copy(update={"server": server})


@pytest.fixture(scope="module")
def ask_key(api_settings: Settings) -> Iterator[str]:
    store = KeyStore(api_settings.data_dir / "keys.sqlite3")
    yield store.create("schemathesis", ["ask"])[0]
    store.close()


OPERATIONS = [
    ("POST", "/v1/ask"),
    ("POST", "/v1/ask/stream"),
    ("GET", "/v1/sources"),
    ("GET", "/v1/sources/{source_id}"),
    ("GET", "/v1/sources/{source_id}/sections/{label}"),
    ("POST", "/v1/feedback"),
    ("POST", "/v1/admin/ingest"),
    ("DELETE", "/v1/admin/sources/{source_id}"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]


@pytest.fixture(scope="module")
def api_schema(api_settings: Settings) -> Iterator[OpenApiSchema]:
    from schemathesis.python.asgi import shutdown_lifespans

    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(api_settings))
    shutdown_lifespans()  # the app's lifespan: close the store


def test_every_operation_is_covered(api_schema: OpenApiSchema) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


# (Schemathesis's own pytest loader does not run on pytest 9 yet, so the operations are
# driven through Hypothesis directly.)
@pytest.mark.parametrize(
    ("method", "path", "mode"),
    [
        (method, path, mode)
        for method, path in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if mode == GenerationMode.POSITIVE or path not in {"/healthz", "/readyz"}  # no input
    ],
)
def test_responses_match_the_spec(
    api_schema: OpenApiSchema, ask_key: str, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={"X-API-Key": ask_key}, checks=CHECKS)

    check()


def test_spec_documents_problems_and_examples(api_settings: Settings) -> None:
    spec = create_app(api_settings).openapi()
    ask = spec["paths"]["/v1/ask"]["post"]
    for code in ("401", "403", "413", "422", "429"):
        content = ask["responses"][code]["content"]
        assert content == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert "Retry-After" in ask["responses"]["429"]["headers"]
    body = spec["components"]["schemas"]["AskRequest"]
    assert body["properties"]["question"]["maxLength"] == 2000
    assert any("offentleglova" in e["question"] for e in body["examples"])
    stream = spec["paths"]["/v1/ask/stream"]["post"]["responses"]["200"]["content"]
    assert list(stream) == ["text/event-stream"]
    kinds = [
        e["properties"]["event"]["const"] for e in stream["text/event-stream"]["schema"]["oneOf"]
    ]
    assert kinds == ["sources", "delta", "citation", "reset", "done", "error"]
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])
    assert {t["name"] for t in spec["tags"]} >= {"ask", "sources", "feedback", "admin"}
