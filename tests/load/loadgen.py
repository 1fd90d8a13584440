"""A small HTTP/1.1 load generator (keep-alive, asyncio streams), run as its own process.

    python -m tests.load.loadgen --url http://127.0.0.1:8001/v1/suggestions \
        --clients 32 --seconds 10 [--rate 500] --out result.json

Closed loop (each client sends its next request when the answer arrived) unless ``--rate``
is given, then open loop at that offered rate (requests are started on schedule, whatever
the answers do). httpx is too slow to load a server on the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import random
import time
from pathlib import Path
from urllib.parse import urlsplit

DISTRICTS = ["420802", "420804", "420822", "420881", "420882", "420800-ZH", "420800-QJL"]
TOPICS = [
    ("小区路灯不亮", "晚上出行很不安全，希望尽快修复路灯。"),
    ("道路破损严重", "路面坑洼积水，车辆和行人通行困难，请尽快修补。"),
    ("噪声扰民", "附近工地夜间施工噪声很大，影响居民休息。"),
    ("拖欠工资", "公司拖欠三个月工资不发，请劳动部门帮忙处理。"),
    ("公交线路太少", "小区附近公交班次太少，上下班很不方便，建议增开线路。"),
    ("学校入学难", "孩子上小学学位紧张，希望增加学位。"),
]


# Real citizens' messages (public teddy2020 data, read where it lies, never copied): their
# texts give the classifier and the recurring-appeal index a realistic mix, where six
# templates would make every suggestion a near-duplicate of thousands of others.
DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "teddy2020"


def load_texts(data_dir: Path = DATA) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for name in ("messages.csv", "hot_issues.csv"):
        path = data_dir / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                # Within intake's limits: a one-line title of ≤ 100, a body of ≥ 5 characters.
                title = " ".join((row.get("title") or "").split())[:100]
                detail = (row.get("detail") or "").strip()[:2000]
                if len(detail) < 5:
                    detail = f"{title}。请尽快处理。"
                if title:
                    texts.append((title, detail))
    if not texts:
        print(f"loadgen: no teddy2020 data at {data_dir}; using six synthetic topics")
    random.Random(7).shuffle(texts)
    return texts


TEXTS: list[tuple[str, str]] = []


def body(i: int) -> bytes:
    if TEXTS:
        title, content = TEXTS[i % len(TEXTS)]
    else:
        topic, detail = TOPICS[i % len(TOPICS)]
        title, content = f"{topic}（{i}）", f"{detail}编号{i}。"
    return json.dumps(
        {
            "title": title,
            "content": content,
            "district_code": DISTRICTS[i % len(DISTRICTS)],
            "channel": "web",
        },
        ensure_ascii=False,
    ).encode()


class Client:
    def __init__(self, host: str, port: int, path: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, payload: bytes) -> tuple[int, bytes]:
        reused = self.writer is not None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        try:
            status_line = await self.reader.readline()
        except ConnectionResetError:
            status_line = b""
        if not status_line:
            self.close()
            if reused:
                # The server closed an idle keep-alive connection (uvicorn: after 5 s) before
                # reading this request: send it again on a new one, as HTTP clients do.
                return await self.post(payload)
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer:
            self.writer.close()
            self.writer = None


async def run(url: str, clients: int, seconds: float, rate: float | None) -> dict[str, object]:
    parts = urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    latencies: list[float] = []
    filed: list[tuple[str, float]] = []
    errors: dict[str, int] = {}
    counter = itertools.count(random.randint(0, 10**6) * 1000)
    pool: asyncio.Queue[Client] = asyncio.Queue()
    for _ in range(clients):
        pool.put_nowait(Client(host, port, path))
    start = time.perf_counter()
    deadline = start + seconds

    async def one() -> None:
        client = await pool.get()
        t0 = time.perf_counter()
        try:
            status, answer = await client.post(body(next(counter)))
            if status in (200, 201):
                latencies.append(time.perf_counter() - t0)
                try:
                    filed.append((json.loads(answer)["id"], time.time()))
                except (ValueError, KeyError):
                    pass
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
        except Exception as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            client.close()
        finally:
            pool.put_nowait(client)

    if rate:
        tasks: list[asyncio.Task[None]] = []
        n = 0
        while (now := time.perf_counter()) < deadline:
            due = start + n / rate
            if due > now:
                await asyncio.sleep(due - now)
            tasks.append(asyncio.create_task(one()))
            n += 1
        await asyncio.gather(*tasks)
    else:

        async def loop() -> None:
            while time.perf_counter() < deadline:
                await one()

        await asyncio.gather(*(loop() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0
        )

    return {
        "url": url,
        "clients": clients,
        "seconds": round(elapsed, 2),
        "offered_rate": rate,
        "ok": len(latencies),
        "errors": errors,
        "rate": round(len(latencies) / elapsed, 1),
        "p50_ms": round(pct(0.50), 2),
        "p95_ms": round(pct(0.95), 2),
        "p99_ms": round(pct(0.99), 2),
        "filed": filed,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=float, default=None)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    TEXTS.extend(load_texts())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(run(a.url, a.clients, a.seconds, a.rate))
    with open(a.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
