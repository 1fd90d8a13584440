"""The access table of docs/SECURITY.md, generated from the routes' declarations.

python -m tests.security.access_doc > /tmp/table.md   # then paste between the markers
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from minyi.platform.auth import Role, access_of, routes_of

BEGIN = "<!-- access-table:begin -->"
END = "<!-- access-table:end -->"
SHORT = {
    Role.STATION_STAFF: "station",
    Role.REPRESENTATIVE: "rep",
    Role.UNIT_STAFF: "unit",
    Role.SUPERVISOR: "sup",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}


def table(tmp: Path) -> str:
    from tests.security.conftest import SERVICES, build_app

    os.environ.setdefault("MINYI_INTAKE_API_KEYS", "doc")
    os.environ.setdefault("MINYI_INTAKE_CHAT_SECRET", "doc")
    header = "| service | method | path | " + " | ".join(SHORT.values()) + " | note |"
    lines = [header, "|" + "---|" * (len(SHORT) + 4)]
    for name in SERVICES:
        app = build_app(name, tmp / name)
        rows: set[tuple[str, str, str, str]] = set()
        for route in routes_of(app):
            rule = access_of(route)
            path = getattr(route, "path", "?")
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method == "HEAD":
                    continue
                if rule is None:
                    cells, reason = ["?"] * len(SHORT), "**undeclared**"
                elif rule.public:
                    cells, reason = ["·"] * len(SHORT), f"public: {rule.public_because}"
                else:
                    cells = ["✓" if r in rule.roles else "" for r in SHORT]
                    reason = ""
                rows.add((path, method, " | ".join(cells), reason))
        for path, method, marks, note in sorted(rows):
            lines.append(f"| {name} | {method} | `{path}` | {marks} | {note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(table(Path(tmp)), end="")
