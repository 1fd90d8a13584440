"""Write docs/EVENTS.md from the contracts (``--check`` fails when the file is stale)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from minyi.contracts import subjects
from minyi.contracts.events import CATALOGUE

DOC = Path(__file__).resolve().parent.parent / "docs" / "EVENTS.md"


def _type_of(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        return " | ".join(_type_of(p) for p in prop["anyOf"])
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    if "enum" in prop:
        return " | ".join(repr(v) for v in prop["enum"])
    if prop.get("type") == "array":
        return f"list[{_type_of(prop.get('items', {}))}]"
    return str(prop.get("format", prop.get("type", "object")))


def render() -> str:
    lines = [
        "# Event catalogue",
        "",
        "Generated from `shared/src/minyi/contracts/` by `python scripts/events_doc.py`; a test",
        "fails when this file and the contracts disagree. Compatibility rules: see the",
        "docstring of `minyi.contracts`.",
        "",
        "Every event is a CloudEvents 1.0 envelope in structured JSON mode (`specversion`, `id`,",
        "`source`, `type`, `subject`, `time`, `datacontenttype`, `data`, plus `traceparent`).",
        "`subject` is what the event is about: the suggestion id, or as the event says (liaison's:",
        "the deputy, station, reception or booking id; a referred matter: its suggestion's id).",
        "The envelope `id` is a UUID of version 7 (time-ordered, `minyi.contracts.ids`; treat it",
        "as opaque: `time` says when). It is also the NATS `Nats-Msg-Id` header, so JetStream",
        f"drops a republished duplicate within {subjects.DUPLICATE_WINDOW.total_seconds():.0f} s;",
        "consumers' inboxes drop any later one.",
        "",
        f"All subjects live in one stream, `{subjects.STREAM_NAME}` (`{', '.join(subjects.STREAM_SUBJECTS)}`),",
        "file storage, kept for replay. The machine-readable catalogue is each service's",
        "AsyncAPI document.",
        "",
        "| type | subject | producer | what happened |",
        "|---|---|---|---|",
    ]
    models = sorted(CATALOGUE.values(), key=lambda m: (m.__module__, m.event_type))
    for m in models:
        producer = m.__module__.rsplit(".", 1)[1]
        # The docstring's first paragraph, on one line (a first line may stop mid-sentence).
        doc = " ".join((m.__doc__ or "").strip().split("\n\n")[0].split())
        lines.append(f"| `{m.event_type}` | `{m.subject_name}` | {producer} | {doc} |")
    for m in models:
        schema = m.model_json_schema()
        required = set(schema.get("required", []))
        lines += [
            "",
            f"## {m.__name__} (`{m.event_type}`)",
            "",
            (m.__doc__ or "").strip(),
            "",
            "| field | type | required | description |",
            "|---|---|---|---|",
        ]
        for name, prop in schema["properties"].items():
            lines.append(
                f"| `{name}` | {_type_of(prop)} | {'yes' if name in required else 'no'} "
                f"| {prop.get('description', '')} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(
            0
            if DOC.exists() and DOC.read_text(encoding="utf-8") == text
            else "docs/EVENTS.md is stale: run python scripts/events_doc.py"
        )
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
