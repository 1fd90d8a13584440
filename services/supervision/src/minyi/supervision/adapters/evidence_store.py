"""Evidence files on disk: ``<dir>/<project_id>/<file_id>``, both ids minted here or
checked against a strict pattern, so no client input ever becomes part of a path."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def new_file_id() -> str:
    return f"F-{secrets.token_hex(12)}"


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, project_id: str, file_id: str) -> Path:
        if not _ID.match(project_id) or not _ID.match(file_id):
            raise ValueError("not an id")
        return self.root / project_id / file_id

    def write(self, project_id: str, file_id: str, content: bytes) -> None:
        path = self._path(project_id, file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{file_id}.part")
        tmp.write_bytes(content)
        os.replace(tmp, path)

    def read(self, project_id: str, file_id: str) -> bytes | None:
        try:
            return self._path(project_id, file_id).read_bytes()
        except (OSError, ValueError):
            return None

    def remove(self, project_id: str, file_id: str) -> None:
        try:
            self._path(project_id, file_id).unlink(missing_ok=True)
        except (OSError, ValueError):
            pass
