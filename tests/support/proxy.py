"""A TCP proxy for fault tests: put it between one process and a server (NATS, PostgreSQL)
and break the link on demand.

* ``partition()``: drop every open connection and refuse new ones (each new connection is
  accepted and closed at once), until ``heal()``.
* ``slow(seconds)``: forward every chunk only after ``seconds`` (a slow link), until ``heal()``.
* ``drop_all()``: drop the open connections once; new ones are served.
* ``mute()``: silently discard what the client sends (the server's side still arrives), e.g.
  a consumer's acks are lost after it committed; until ``heal()``.

It runs its own asyncio loop in a daemon thread, so tests written synchronously can drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1") -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.listen_host = listen_host
        self.port = 0
        self.refusing = False
        self.delay = 0.0
        self.muted = False
        self.connections_accepted = 0
        self.connections_refused = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="proxy")
        self._server: asyncio.Server | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> TcpProxy:
        self._thread.start()
        self._server = self._call(
            asyncio.start_server(self._serve, self.listen_host, 0, reuse_address=True)
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def close(self) -> None:
        if not self._thread.is_alive():
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._writers):
                writer.close()
            self._writers.clear()

        self._call(shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def address(self) -> str:
        return f"{self.listen_host}:{self.port}"

    # -- faults -------------------------------------------------------------------------
    def drop_all(self) -> int:
        """Close every open connection (both sides); returns how many were open."""

        async def drop() -> int:
            n = len(self._writers)
            for writer in list(self._writers):
                with contextlib.suppress(Exception):
                    writer.transport.abort()
            self._writers.clear()
            return n // 2

        return self._call(drop())

    def partition(self) -> int:
        """Cut the link: open connections dropped, new ones refused until ``heal()``."""
        self.refusing = True
        return self.drop_all()

    def slow(self, seconds_per_chunk: float) -> None:
        self.delay = seconds_per_chunk

    def mute(self) -> None:
        self.muted = True

    def heal(self) -> None:
        self.refusing = False
        self.muted = False
        self.delay = 0.0

    @contextmanager
    def partitioned(self) -> Iterator[None]:
        self.partition()
        try:
            yield
        finally:
            self.heal()

    # -- internals ----------------------------------------------------------------------
    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self.refusing:
            self.connections_refused += 1
            client_w.transport.abort()
            return
        try:
            server_r, server_w = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            client_w.transport.abort()
            return
        self.connections_accepted += 1
        self._writers.update((client_w, server_w))
        try:
            await asyncio.gather(
                self._pipe(client_r, server_w, upstream=True),
                self._pipe(server_r, client_w, upstream=False),
            )
        finally:
            for w in (client_w, server_w):
                self._writers.discard(w)
                with contextlib.suppress(Exception):
                    w.transport.abort()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upstream: bool
    ) -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if self.delay:
                    await asyncio.sleep(self.delay)
                if self.refusing or writer.transport.is_closing():
                    break
                if upstream and self.muted:
                    continue
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()
