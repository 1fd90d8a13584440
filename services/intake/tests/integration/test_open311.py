"""Open311 GeoReport v2, checked against the shapes of the spec's own examples
(wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from services.intake.tests.integration.conftest import API_KEY, Api
from services.intake.tests.integration.test_rest import assign

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# The spec's sample POST, with our service code and a place in our city.
SAMPLE_POST = {
    "api_key": API_KEY,
    "jurisdiction_id": "jingmen.gov.cn",
    "service_code": "001",
    "lat": "31.0354",
    "long": "112.2045",
    "address_string": "东宝区泉口街道金泉路 12 号",
    "email": "smit222@sample.com",
    "first_name": "小明",
    "last_name": "王",
    "phone": "13812345678",
    "description": "路灯不亮已经两周，夜间出行不安全。",
}
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
]  # fmt: skip


async def create(api: Api, fmt: str = "json", **changes: str) -> str:
    r = await api.client.post(f"/open311/v2/requests.{fmt}", data={**SAMPLE_POST, **changes})
    assert r.status_code == 201, r.text
    if fmt == "xml":
        return ET.fromstring(r.content).findtext("request/service_request_id") or ""
    return str(r.json()[0]["service_request_id"])


async def test_the_service_list_has_the_fifteen_first_level_categories(api: Api) -> None:
    services = (await api.client.get("/open311/v2/services.json")).json()
    assert len(services) == 15
    assert services[0] == {
        "service_code": "001",
        "service_name": "城乡建设",
        "description": services[0]["description"],
        "metadata": False,
        "type": "realtime",
        "keywords": "市政设施,物业管理,房屋安全,城市管理,老旧小区改造",
        "group": "城市能级",
    }
    assert [s["service_name"] for s in services][-1] == "纪检监察"


async def test_the_service_list_in_xml_follows_the_spec_example(api: Api) -> None:
    r = await api.client.get("/open311/v2/services.xml")
    root = ET.fromstring(r.content)
    assert root.tag == "services" and len(root.findall("service")) == 15
    first = root.find("service")
    assert first is not None
    assert [c.tag for c in first] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
    ]  # fmt: skip
    assert first.findtext("metadata") == "false"


async def test_a_service_definition_and_an_unknown_one(api: Api) -> None:
    ok = await api.client.get("/open311/v2/services/003.xml")
    root = ET.fromstring(ok.content)
    assert root.tag == "service_definition" and root.findtext("service_code") == "003"
    missing = await api.client.get("/open311/v2/services/999.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code 999 not found"}]


async def test_posting_the_spec_sample_files_a_suggestion_without_pii_in_the_event(
    api: Api,
) -> None:
    r = await api.client.post("/open311/v2/requests.json", data=SAMPLE_POST)
    assert r.status_code == 201, r.text
    [answer] = r.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert "查询码" in answer["service_notice"]
    event = (await api.outbox())[-1]
    assert event["data"]["channel"] == "open311" and event["data"]["district_code"] == "420802"
    assert event["data"]["category_hint"] == "001"
    assert "13812345678" not in event["raw"] and "小明" not in event["raw"]


async def test_a_post_without_a_valid_api_key_is_a_403_in_the_spec_format(api: Api) -> None:
    r = await api.client.post("/open311/v2/requests.xml", data={**SAMPLE_POST, "api_key": "nope"})
    assert r.status_code == 403
    root = ET.fromstring(r.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403" and "api_key" in (
        root.findtext("error/description") or ""
    )


async def test_a_post_without_location_or_service_code_is_a_400(api: Api) -> None:
    no_place = {k: v for k, v in SAMPLE_POST.items() if k not in ("lat", "long", "address_string")}
    r = await api.client.post("/open311/v2/requests.json", data=no_place)
    assert r.status_code == 400 and "location" in r.json()[0]["description"]
    r = await api.client.post("/open311/v2/requests.json", data={**SAMPLE_POST, "service_code": ""})
    assert r.status_code == 400 and r.json()[0]["description"] == "service_code is required"
    r = await api.client.post(
        "/open311/v2/requests.json", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 415 and r.json()[0]["code"] == 415


async def test_get_requests_lists_every_field_of_the_spec_and_maps_status(api: Api) -> None:
    sid = await create(api)
    await assign(api, sid)
    [record] = (await api.client.get(f"/open311/v2/requests/{sid}.json")).json()
    assert list(record) == REQUEST_FIELDS
    assert record["status"] == "open" and record["agency_responsible"] == "东宝区住建局"
    assert record["service_name"] == "城乡建设" and record["lat"] == 31.0354
    listed = (await api.client.get("/open311/v2/requests.json", params={"status": "open"})).json()
    assert [r["service_request_id"] for r in listed] == [sid]
    closed = (await api.client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert closed == []
    xml = ET.fromstring((await api.client.get("/open311/v2/requests.xml")).content)
    assert xml.tag == "service_requests" and xml.findtext("request/service_request_id") == sid


async def test_get_requests_filters_by_code_and_dates_and_refuses_bad_dates(api: Api) -> None:
    sid = await create(api, "xml")
    other = await create(
        api, service_code="002", description="掇刀区某工厂夜间排放废气，气味刺鼻。"
    )
    by_code = (
        await api.client.get("/open311/v2/requests.json", params={"service_code": "002"})
    ).json()
    assert [r["service_request_id"] for r in by_code] == [other]
    future = {"start_date": "2999-01-01T00:00:00Z"}
    assert (await api.client.get("/open311/v2/requests.json", params=future)).json() == []
    both = {"service_request_id": f"{sid},{other}"}
    assert len((await api.client.get("/open311/v2/requests.json", params=both)).json()) == 2
    bad = await api.client.get("/open311/v2/requests.json", params={"end_date": "yesterday"})
    assert bad.status_code == 400 and "end_date" in bad.json()[0]["description"]


async def test_a_token_resolves_to_its_service_request_id(api: Api) -> None:
    sid = await create(api)
    r = await api.client.get(f"/open311/v2/tokens/{sid}.json")
    assert r.json() == [{"service_request_id": sid, "token": sid}]
    assert (await api.client.get("/open311/v2/tokens/unknown.xml")).status_code == 404
