"""``minyi liaison template`` and ``import`` against the service's own store (a real
SQLite file), with NATS away: all or nothing, idempotent, events queued in the outbox."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from minyi.contracts.liaison import DeputyEnded, DeputyUpdated, StationRegistered
from minyi.liaison.cli import app
from minyi.platform.nats_server import free_port

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINYI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MINYI_NATS_URL", f"nats://127.0.0.1:{free_port()}")  # nobody there
    monkeypatch.delenv("MINYI_DATABASE_URL", raising=False)
    monkeypatch.delenv("MINYI_DATABASE_URL_LIAISON", raising=False)
    return tmp_path


def outbox(data_dir: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{data_dir / 'liaison.sqlite3'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT subject FROM outbox ORDER BY seq")).scalars().all()
    engine.dispose()
    return list(rows)


def fill(template: Path, out: Path, rows: list[list[str]]) -> Path:
    book = load_workbook(template)
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    book.save(out)
    return out


STATION_ROWS = [
    [
        "ST-T-1",
        "东宝区泉口街道代表联络站",
        "联络站",
        "东宝区",
        "泉口街道",
        "",
        "金泉路12号",
        "",
        "",
        "周一至周五",
        "0724-2345678",
        "",
    ],
    ["ST-T-2", "掇刀区网上代表联络站", "网上联络站", "掇刀区", "", "", "", "", "", "", "", ""],
]
DEPUTY_ROWS = [
    [
        "REP-T-1",
        "张明",
        "市",
        "东宝区",
        "",
        "",
        "ST-T-1",
        "2022-01-01",
        "2027-01-31",
        "在任",
        "教育",
        "教师",
        "",
    ],
    ["REP-T-2", "李华", "乡镇", "东宝区", "泉口街道", "", "ST-T-1", "", "", "", "", "", ""],
    ["REP-T-3", "王强", "县", "掇刀区", "白庙街道", "", "ST-T-2", "", "", "", "", "", ""],
]


def test_templates_have_chinese_headers_and_one_example_row(data_dir: Path) -> None:
    for kind, first in (("deputies", "编号"), ("stations", "编号")):
        path = data_dir / f"{kind}.xlsx"
        result = runner.invoke(app, ["template", kind, str(path)])
        assert result.exit_code == 0, result.output
        sheet = load_workbook(path).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == first and len(rows) == 2 and rows[1][0]
    header = next(
        load_workbook(data_dir / "deputies.xlsx").worksheets[0].iter_rows(values_only=True)
    )
    assert "姓名" in header and "层级" in header


def test_a_filled_template_imports_once_and_again_changes_nothing(data_dir: Path) -> None:
    runner.invoke(app, ["template", "stations", str(data_dir / "s.xlsx")])
    runner.invoke(app, ["template", "deputies", str(data_dir / "d.xlsx")])
    stations = fill(data_dir / "s.xlsx", data_dir / "stations.xlsx", STATION_ROWS)
    deputies = fill(data_dir / "d.xlsx", data_dir / "deputies.xlsx", DEPUTY_ROWS)

    result = runner.invoke(app, ["import", "stations", str(stations)])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "queued in the outbox" in result.output
    result = runner.invoke(app, ["import", "deputies", str(deputies)])
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated" in result.output
    assert len(outbox(data_dir)) == 5

    again = runner.invoke(app, ["import", "deputies", str(deputies)])
    assert again.exit_code == 0 and "0 added, 0 updated, 0 ended, 3 unchanged" in again.output
    assert len(outbox(data_dir)) == 5

    changed = [list(r) for r in DEPUTY_ROWS]
    changed[0][11] = "校长"
    changed[2][9] = "终止"
    fill(data_dir / "d.xlsx", deputies, changed)
    result = runner.invoke(app, ["import", "deputies", str(deputies)])
    assert "0 added, 1 updated, 1 ended, 1 unchanged" in result.output, result.output
    assert outbox(data_dir)[-2:] == [DeputyUpdated.subject_name, DeputyEnded.subject_name]


def test_a_roster_with_bad_rows_imports_nothing_and_names_every_bad_cell(data_dir: Path) -> None:
    path = data_dir / "deputies.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "name", "level", "division", "township", "stations"])
        writer.writerow(["REP-1", "张明", "city", "420802", "", ""])
        writer.writerow(["REP-2", "李华", "mayor", "420802", "", ""])
        writer.writerow(["REP-3", "王强", "county", "420802", "白庙街道", "ST-NOPE"])
    result = runner.invoke(app, ["import", "deputies", str(path)])
    assert result.exit_code == 1
    assert "row 3, column level:" in result.output
    assert "row 4, column township:" in result.output
    assert "row 4, column stations: 未知的联络站编号：ST-NOPE" in result.output
    assert "nothing imported" in result.output
    assert outbox(data_dir) == []


def test_a_spreadsheet_without_a_required_column_is_refused(data_dir: Path) -> None:
    path = data_dir / "stations.csv"
    path.write_text("编号,名称,服务区县\nST-1,甲站,东宝区\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "stations", str(path)])
    assert result.exit_code == 1
    assert "row 1, column 类型: 缺少此列（missing column）" in result.output


def test_a_csv_saved_by_a_chinese_excel_in_gb18030_is_read(data_dir: Path) -> None:
    path = data_dir / "stations.csv"
    path.write_bytes(
        "编号,名称,类型,服务区县\r\nST-1,泉口街道代表联络站,联络站,东宝区\r\n".encode("gb18030")
    )
    result = runner.invoke(app, ["import", "stations", str(path)])
    assert result.exit_code == 0 and "1 added" in result.output, result.output


def test_a_file_that_is_no_roster_is_refused_before_the_store_is_touched(data_dir: Path) -> None:
    path = data_dir / "roster.txt"
    path.write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["import", "stations", str(path)])
    assert result.exit_code == 2 and ".csv" in result.output
    assert not (data_dir / "liaison.sqlite3").exists()


def test_queued_events_are_the_ones_the_running_service_would_publish(data_dir: Path) -> None:
    path = data_dir / "stations.csv"
    path.write_text("id,name,kind,divisions\nST-1,甲站,station,东宝区\n", encoding="utf-8")
    assert runner.invoke(app, ["import", "stations", str(path)]).exit_code == 0
    engine = create_engine(f"sqlite:///{data_dir / 'liaison.sqlite3'}")
    with engine.connect() as conn:
        payload = conn.execute(text("SELECT payload FROM outbox")).scalar_one()
    engine.dispose()
    event = json.loads(payload)
    assert event["type"] == StationRegistered.event_type and event["subject"] == "ST-1"
    assert event["data"]["division_codes"] == ["420802"]
