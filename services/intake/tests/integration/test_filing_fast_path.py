"""``POST /v1/suggestions`` validates a well-formed filing itself (``http.FilingRoute``) and
hands everything else to FastAPI's handler: the answers must be the ones FastAPI gives,
field and rule named, and the caller's token must count as on any other route."""

from __future__ import annotations

from typing import Any

from minyi.platform.auth import Role
from services.intake.tests.integration.conftest import Api
from services.intake.tests.integration.test_rest import SUGGESTION

JSON = {"Content-Type": "application/json"}


def problems(body: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    return [(p["type"], p["loc"]) for p in body["detail"]]


async def test_a_valid_filing_is_stored_with_its_event(api: Api) -> None:
    r = await api.client.post("/v1/suggestions", json=SUGGESTION)
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"/v1/track/{r.json()['tracking_code']}"
    (event,) = await api.outbox()
    assert event["data"]["suggestion_id"] == r.json()["id"]
    assert event["traceparent"]


async def test_bodies_that_do_not_validate_get_fastapis_422(api: Api) -> None:
    cases: list[tuple[bytes, list[tuple[str, list[Any]]]]] = [
        (b'{"title": ', [("json_invalid", ["body", 10])]),
        (b"", [("missing", ["body"])]),
        (b"[]", [("model_attributes_type", ["body"])]),
        (
            b'{"content": "\\u8def\\u706f\\u574f\\u4e86\\u4e24\\u5468", "channel": "web", '
            b'"district_code": "420802", "colour": "red"}',
            [("missing", ["body", "title"]), ("extra_forbidden", ["body", "colour"])],
        ),
        (
            b'{"title": "\\ud800", "content": "12345", "channel": "web", '
            b'"district_code": "420802"}',
            [("string_unicode", ["body", "title"])],
        ),
    ]
    for content, expected in cases:
        r = await api.client.post("/v1/suggestions", content=content, headers=JSON)
        assert r.status_code == 422, (content, r.text)
        assert problems(r.json()) == expected, (content, r.text)
    assert await api.outbox() == []


async def test_an_idempotency_key_over_its_length_is_refused_naming_the_header(api: Api) -> None:
    r = await api.client.post(
        "/v1/suggestions", json=SUGGESTION, headers={"Idempotency-Key": "k" * 201}
    )
    assert r.status_code == 422
    assert problems(r.json()) == [("string_too_long", ["header", "idempotency-key"])]
    ok = await api.client.post(
        "/v1/suggestions", json=SUGGESTION, headers={"Idempotency-Key": "k" * 200}
    )
    again = await api.client.post(
        "/v1/suggestions", json=SUGGESTION, headers={"Idempotency-Key": "k" * 200}
    )
    assert (ok.status_code, again.json()) == (201, ok.json())


async def test_a_token_still_scopes_the_filing(api: Api) -> None:
    staff = api.as_(Role.STATION_STAFF, station="ST-420802-04")
    body = {**SUGGESTION, "channel": "station", "station_id": "ST-420802-05"}
    r = await api.client.post("/v1/suggestions", json=body, headers=staff)
    assert r.status_code == 403 and problems(r.json()) == [("other_station", [])]
