"""A secret made once and kept in a file (development keys, chat secrets, API keys).

Two processes started at the same moment (``minyi up``, two replicas, a CLI beside a
service) must end up with the same secret, and neither may read a half-written file: the
secret is written to a private temporary file first and then linked into place, which is
atomic and fails if the file exists — the loser reads the winner's complete file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The file's content; if there is no file yet, ``make()`` written to it first (mode 0600)."""
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(make())
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_bytes()
