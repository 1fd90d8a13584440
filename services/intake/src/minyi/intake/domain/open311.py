"""Open311 GeoReport v2 vocabulary: formats, statuses, and turning records into the
spec's elements (pure; the entrypoint renders them as JSON or XML)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

FORMATS = ("json", "xml")
# The fields of a service request, in the order the spec lists them.
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def w3c(value: datetime | None) -> str | None:
    """W3C datetime with offset, as the spec's examples show (2010-04-14T06:37:38-08:00)."""
    return value.isoformat(timespec="seconds") if value else None


def parse_w3c(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C datetime, e.g. 2010-01-01T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a time zone offset, e.g. 2010-01-01T00:00:00Z")
    return parsed


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_xml(root: str, item: str, records: Sequence[Mapping[str, Any]]) -> bytes:
    top = ET.Element(root)
    for record in records:
        element = ET.SubElement(top, item)
        for key, value in record.items():
            if isinstance(value, list):
                child = ET.SubElement(element, key)
                for entry in value:
                    sub = ET.SubElement(child, key.rstrip("s"))
                    for k, v in entry.items():
                        ET.SubElement(sub, k).text = _text(v)
            else:
                ET.SubElement(element, key).text = _text(value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        top, encoding="unicode"
    ).encode("utf-8")


def errors_xml(errors: Sequence[Open311Error]) -> bytes:
    return to_xml(
        "errors", "error", [{"code": e.code, "description": e.description} for e in errors]
    )


def service_definition_xml(code: str) -> bytes:
    top = ET.Element("service_definition")
    ET.SubElement(top, "service_code").text = code
    ET.SubElement(top, "attributes")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        top, encoding="unicode"
    ).encode("utf-8")
