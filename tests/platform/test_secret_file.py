"""A secret made once: processes that start together all read the same, complete secret."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

from minyi.platform.secret_file import read_or_create

# Large enough that a writer is still writing while the others look for the file.
SIZE = 4 * 1024 * 1024
PROCESSES = 6


def _race(path: str, barrier: Any, out: Any) -> None:
    barrier.wait()
    mine = os.urandom(16)
    got = read_or_create(Path(path), lambda: mine * (SIZE // 16))
    out.put((mine, len(got), got[:16], got[-16:]))


def test_processes_starting_together_read_one_complete_secret(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(PROCESSES)
    out = ctx.Queue()
    path = tmp_path / "keys" / "secret.bin"
    workers = [ctx.Process(target=_race, args=(str(path), barrier, out)) for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    results = [out.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    assert {length for _, length, _, _ in results} == {SIZE}
    heads = {head for _, _, head, _ in results}
    assert len(heads) == 1, "every process reads the same secret"
    assert heads == {tail for _, _, _, tail in results}, "…and all of it"
    assert heads <= {mine for mine, _, _, _ in results}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret.bin"], "no temporary file left"


def test_an_existing_secret_is_read_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_bytes(b"kept")
    assert read_or_create(path, lambda: b"new") == b"kept"
    assert path.read_bytes() == b"kept"
