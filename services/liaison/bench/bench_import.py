"""Time a full roster import: 5,200 deputies and 450 stations (the reference deployment's
size), as XLSX, into a fresh SQLite store, then the same files again (nothing changes).

    .venv/bin/python services/liaison/bench/bench_import.py [--json FILE] [--csv]

Runs the CLI's own import (``minyi liaison import``) in this process with NATS away, so the
figure is parsing, checking, writing and queuing the events — what an office waits for.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from minyi.contracts.reference import load_json, reference_file

DEPUTIES = 5_200
KINDS = [("联络站", 226), ("网上联络站", 110), ("联系点", 89), ("观察点", 25)]  # 450
LEVELS = [("全国", 40), ("省", 160), ("市", 500), ("县", 1_700), ("乡镇", 2_800)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建华秀兰志明海燕国平丽娟春生晓红文杰玉梅德胜慧敏永刚桂芳立新红霞振宇淑珍俊峰雪梅"


def roster(seed: int = 7) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(seed)
    divisions = [
        d for d in load_json(reference_file("divisions.json"))["divisions"] if d["townships"]
    ]
    stations: list[list[str]] = []
    by_division: dict[str, list[str]] = {}
    n = 0
    for kind, count in KINDS:
        for _ in range(count):
            n += 1
            d = divisions[n % len(divisions)]
            town = d["townships"][n % len(d["townships"])] if kind != "网上联络站" else ""
            sid = f"ST-B-{n:04d}"
            by_division.setdefault(d["code"], []).append(sid)
            stations.append(
                [
                    sid,
                    f"{d['name']}{town}第{n}{kind}",
                    kind,
                    d["name"],
                    town,
                    "",
                    f"{d['name']}{town}{n}号",
                    "",
                    "",
                    "周一至周五",
                    "0724-2345678",
                    "",
                ]
            )
    deputies: list[list[str]] = []
    n = 0
    for level, count in LEVELS:
        for _ in range(count):
            n += 1
            d = divisions[rng.randrange(len(divisions))]
            town = (
                d["townships"][rng.randrange(len(d["townships"]))]
                if level in ("县", "乡镇")
                else ""
            )
            name = rng.choice(SURNAMES) + GIVEN[rng.randrange(0, len(GIVEN), 2) :][:2]
            station = rng.choice(by_division[d["code"]])
            deputies.append(
                [
                    f"REP-B-{n:05d}",
                    name,
                    level,
                    d["code"],
                    town,
                    "",
                    station,
                    "2026-10-01",
                    "2031-09-30",
                    "在任",
                    "",
                    "",
                    "",
                ]
            )
    return stations, deputies


def write(path: Path, header: list[str], rows: list[list[str]], as_csv: bool) -> Path:
    if as_csv:
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        return path
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--csv", action="store_true", help="CSV files instead of XLSX")
    args = parser.parse_args()
    from minyi.liaison.domain.roster import DEPUTY_COLUMNS, STATION_COLUMNS
    from minyi.platform.nats_server import free_port

    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        root = Path(tmp)
        os.environ["MINYI_DATA_DIR"] = str(root)
        os.environ["MINYI_NATS_URL"] = f"nats://127.0.0.1:{free_port()}"  # away: events queue
        os.environ.pop("MINYI_DATABASE_URL", None)
        os.environ.pop("MINYI_DATABASE_URL_LIAISON", None)
        stations, deputies = roster()
        suffix = ".csv" if args.csv else ".xlsx"
        files = {
            "stations": write(
                root / f"stations{suffix}", [c.zh for c in STATION_COLUMNS], stations, args.csv
            ),
            "deputies": write(
                root / f"deputies{suffix}", [c.zh for c in DEPUTY_COLUMNS], deputies, args.csv
            ),
        }
        from typer.testing import CliRunner

        from minyi.liaison.cli import app

        runner = CliRunner()
        figures: dict[str, Any] = {
            "deputies": len(deputies),
            "stations": len(stations),
            "format": suffix[1:],
        }
        for attempt in ("first", "again"):
            started = time.perf_counter()
            for kind in ("stations", "deputies"):
                result = runner.invoke(app, ["import", kind, str(files[kind])])
                if result.exit_code != 0:
                    print(result.output, file=sys.stderr)
                    return 1
                print(f"{attempt}: {result.output.strip().splitlines()[0]}")
            figures[f"{attempt}_seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(figures, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
