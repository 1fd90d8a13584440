"""Pure rules behind the channels: signatures, chat intents, statuses, Open311 XML."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from minyi.contracts import tracking_code
from minyi.intake.domain import chat, open311, signature
from minyi.intake.domain.status import next_status, open311_status
from minyi.intake.domain.text import redact_phones

CODE = tracking_code.new_tracking_code()


def test_a_signature_is_accepted_only_fresh_and_exact() -> None:
    secret, body = b"s", b'{"x":1}'
    good = signature.sign(secret, "1000", body)
    assert signature.check(secret, "1000", good, body, now=1100, max_skew=300) is None
    assert (
        signature.check(secret, "1000", good, body, now=1400, max_skew=300)
        is signature.SignatureProblem.STALE
    )
    assert (
        signature.check(secret, "1000", good, body + b" ", now=1000, max_skew=300)
        is signature.SignatureProblem.INVALID
    )
    assert (
        signature.check(secret, None, good, body, now=1000, max_skew=300)
        is signature.SignatureProblem.MISSING
    )
    assert (
        signature.check(secret, "soon", good, body, now=1000, max_skew=300)
        is signature.SignatureProblem.INVALID
    )


def test_chat_commands_are_recognised_and_anything_else_is_a_suggestion() -> None:
    assert chat.parse(f"查询 {CODE}") == chat.Track(tracking_code.normalize(CODE))
    assert chat.parse(f"评价 {CODE} 不满意 太慢了") == chat.Rate(
        tracking_code.normalize(CODE), False, "太慢了"
    )
    assert chat.parse(f"评价 {CODE} 满意") == chat.Rate(tracking_code.normalize(CODE), True, None)
    assert chat.parse("查询 MY-1234") == chat.Track(None)
    assert chat.parse("东宝区路灯坏了") == chat.FreeText("东宝区路灯坏了")


def test_a_later_round_wins_and_closed_is_final() -> None:
    assert next_status("replied", 1, "reopened", 2) == ("reopened", 2)
    assert next_status("reopened", 2, "accepted", 1) == ("reopened", 2)
    assert next_status("reopened", 2, "replied", 2) == ("replied", 2)
    assert next_status("replied", 2, "reopened", 2) == ("replied", 2)
    assert next_status("accepted", 1, "assigned", 1) == ("accepted", 1)
    assert next_status("closed", 1, "replied", 2) == ("closed", 1)
    assert open311_status("closed") == "closed" and open311_status("reopened") == "open"


def test_phone_numbers_in_free_text_are_masked() -> None:
    assert redact_phones("张大爷 13812345678 反映") == "张大爷 138****5678 反映"
    assert redact_phones("电话 0724-2345678") == "电话 0724-****5678"
    assert redact_phones("接待群众12人次") == "接待群众12人次"


def test_open311_xml_escapes_text_and_writes_booleans_the_spec_way() -> None:
    xml = open311.to_xml(
        "services", "service", [{"service_name": "<b>&", "metadata": False, "x": None}]
    )
    root = ET.fromstring(xml)
    assert root.findtext("service/service_name") == "<b>&"
    assert root.findtext("service/metadata") == "false"
    assert b"<b>" not in xml
