"""The app-wide body limit (``minyi.platform.app.body_limit``) every service's routes sit
behind: 413 past the limit whether or not the endpoint reads its body, and a route's own
larger ``max_body_size`` (uploads) still wins."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from minyi.platform.app import errors
from minyi.platform.app.body_limit import BodyLimit

LIMIT, UPLOAD_LIMIT = 1000, 5000


def app() -> FastAPI:
    app = FastAPI()

    @app.post("/read")
    async def read(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/ignore")
    async def ignore() -> dict[str, int]:
        return {"size": -1}

    @app.post("/upload", max_body_size=UPLOAD_LIMIT)
    async def upload(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    errors.install(app)
    app.add_middleware(BodyLimit, max_body_size=LIMIT)
    return app


def chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // 100):
        yield b"x" * 100


def test_bodies_within_the_limit_pass_and_larger_ones_are_refused() -> None:
    client = TestClient(app())
    assert client.post("/read", content=b"x" * LIMIT).json() == {"size": LIMIT}
    for path in ("/read", "/ignore"):
        r = client.post(path, content=b"x" * (LIMIT + 1))
        assert r.status_code == 413, path
        assert r.json()["detail"][0]["type"] == "body_too_large"
    # Chunked, with no Content-Length to go by: counted as it is read.
    assert client.post("/read", content=chunks(LIMIT)).json() == {"size": LIMIT}
    assert client.post("/read", content=chunks(LIMIT + 100)).status_code == 413


def test_a_routes_own_limit_wins() -> None:
    client = TestClient(app())
    assert client.post("/upload", content=b"x" * UPLOAD_LIMIT).json() == {"size": UPLOAD_LIMIT}
    assert client.post("/upload", content=chunks(UPLOAD_LIMIT)).json() == {"size": UPLOAD_LIMIT}
    assert client.post("/upload", content=b"x" * (UPLOAD_LIMIT + 1)).status_code == 413
