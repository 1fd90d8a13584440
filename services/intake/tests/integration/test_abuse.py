"""Bad input and abuse: every rejection is a 4xx naming the field or the rule; nothing
gives a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minyi.platform.auth import Principal, Role, bearer
from minyi.platform.ratelimit import TokenBuckets
from services.intake.tests.integration.conftest import API_KEY, CHAT_SECRET, offline_app
from services.intake.tests.integration.test_rest import SUGGESTION

CODE = "MY-0000-0000-0000-0000-0"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    env = {
        "MINYI_INTAKE_API_KEYS": API_KEY,
        "MINYI_INTAKE_CHAT_SECRET": CHAT_SECRET,
        "MINYI_INTAKE_RATE_PER_IP_BURST": "1000000",
    }
    app = offline_app(tmp_path_factory.mktemp("abuse"), env)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_body_over_64_kib_is_refused_with_413(client: TestClient) -> None:
    big = {**SUGGESTION, "content": "很" * 30_000}
    r = client.post(
        "/v1/suggestions",
        content=json.dumps(big).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["detail"] == [
        {
            "type": "body_too_large",
            "loc": [],
            "msg": "请求体超过 65536 字节（body: at most 65536 bytes）",
        }
    ]


def test_a_streamed_body_over_64_kib_is_refused_with_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 8192

    r = client.post(
        "/v1/suggestions", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["detail"][0]["type"] == "body_too_large"


def test_a_json_endpoint_refuses_another_content_type_with_415(client: TestClient) -> None:
    r = client.post("/v1/suggestions", content=b"title=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    [problem] = r.json()["detail"]
    assert problem["type"] == "unsupported_media_type" and "application/json" in problem["msg"]


def test_a_validation_error_names_the_field_and_the_rule(client: TestClient) -> None:
    r = client.post("/v1/suggestions", json={**SUGGESTION, "title": "长" * 101})
    assert r.status_code == 422
    problem = r.json()["detail"][0]
    assert problem["loc"][-1] == "title" and "100" in problem["msg"]


def test_a_flood_from_one_ip_gets_429_with_retry_after(client: TestClient) -> None:
    guard = client.app.state.runtime.deps.guard  # type: ignore[attr-defined]
    saved = guard.per_ip
    guard.per_ip = TokenBuckets(per_minute=1, burst=2)
    try:
        statuses = [client.get("/v1/reference/divisions").status_code for _ in range(3)]
        limited = client.get("/v1/reference/divisions")
    finally:
        guard.per_ip = saved
    assert statuses[:2] == [200, 200]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["detail"][0]["type"] == "rate_limited"


def test_control_characters_are_stripped_and_text_is_nfc(client: TestClient) -> None:
    body = {
        **SUGGESTION,
        "title": "路灯\x00不亮\u202e",
        "content": "Cafe\u0301 门口的路灯坏了\x07很久",
    }
    r = client.post("/v1/suggestions", json=body)
    assert r.status_code == 201, r.text
    admin = bearer(client.app.state.runtime.keyring, Principal(Role.ADMIN, "admin"))  # type: ignore[attr-defined]
    staff = client.get(f"/v1/suggestions/{r.json()['id']}", headers=admin).json()
    assert staff["title"] == "路灯不亮" and staff["content"] == "Café 门口的路灯坏了很久"


ENDPOINTS: list[tuple[str, str]] = [
    ("POST", "/v1/suggestions"),
    ("GET", "/v1/suggestions/x"),
    ("POST", "/v1/suggestions/x/endorsements"),
    ("GET", f"/v1/track/{CODE}"),
    ("POST", f"/v1/track/{CODE}/feedback"),
    ("POST", "/v1/channels/chat/webhook"),
    ("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services/001.xml"),
    ("POST", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.xml"),
    ("GET", "/open311/v2/requests.json"),
    ("GET", "/open311/v2/requests/x.xml"),
    ("GET", "/open311/v2/tokens/x.json"),
    ("GET", "/v1/places"),
    ("GET", "/v1/places/lookup"),
    ("GET", "/v1/reference/stations"),
    ("GET", "/"),
]
KEYS = ["title", "content", "kind", "channel", "district_code", "township", "address",
        "location", "station_id", "representative_id", "citizen", "urgent", "satisfied",
        "score", "comment", "mode", "note", "date", "participants", "notes", "message_id",
        "user_id", "text", "lat", "lon", "name", "phone"]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={k: json_values for k in KEYS}),
    st.builds(
        lambda d: {**SUGGESTION, **d},
        st.fixed_dictionaries({}, optional={k: json_values for k in KEYS}),
    ),
)
QUERY_KEYS = ["status", "start_date", "end_date", "service_code", "service_request_id",
              "address", "division", "township", "community"]  # fmt: skip
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
content_types = st.sampled_from(
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "",
        "application/json; charset=utf-8",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=bodies,
    raw=st.none() | st.binary(max_size=200),
    content_type=content_types,
    key=header_text,
    query=st.dictionaries(st.sampled_from(QUERY_KEYS), header_text, max_size=3),
)
def test_no_input_produces_a_server_error(
    client: TestClient,
    endpoint: tuple[str, str],
    body: Any,
    raw: bytes | None,
    content_type: str,
    key: str,
    query: dict[str, str],
) -> None:
    method, path = endpoint
    content = raw if raw is not None else json.dumps(body).encode()
    headers = {
        "Content-Type": content_type,
        "Idempotency-Key": key,
        "X-Minyi-Timestamp": key,
        "X-Minyi-Signature": key,
    }
    r = client.request(
        method, path, content=content if method == "POST" else None, headers=headers, params=query
    )
    assert r.status_code < 500, (method, path, r.status_code, r.text[:300])


def test_a_validation_error_does_not_echo_the_input(client: TestClient) -> None:
    body = {**SUGGESTION, "citizen": {"name": "王小明", "phone": "138123456789"}, "urgent": "maybe"}
    r = client.post("/v1/suggestions", json=body)
    assert r.status_code == 422
    assert "138123456789" not in r.text and "王小明" not in r.text
    assert {tuple(p["loc"][-2:]) for p in r.json()["detail"]} >= {("citizen", "phone")}
