"""``minyi routing train`` and ``evaluate`` (typer's CliRunner, routing's own database)."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from minyi.platform.auth import Principal, Role, bearer
from minyi.routing.adapters.models import demo_corpus
from minyi.routing.bootstrap import SERVICE, on_start
from minyi.routing.cli import app
from minyi.routing.dependencies import RoutingDeps
from tests.support.harness import harness

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MINYI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MINYI_DATABASE_URL", raising=False)
    monkeypatch.delenv("MINYI_DATABASE_URL_ROUTING", raising=False)
    return tmp_path


def write_csv(path: Path, every: int = 1, offset: int = 0) -> Path:
    rows = demo_corpus()[offset::every]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["title", "content", "category", "unit"])
        w.writerows([r.title, r.content, r.category, ""] for r in rows)
    return path


def test_train_stores_an_active_version_that_evaluate_reports_on(data_dir: Path) -> None:
    train_file = write_csv(data_dir / "train.csv", every=2)
    test_file = write_csv(data_dir / "test.csv", every=2, offset=1)
    trained = runner.invoke(app, ["train", "--from", str(train_file), "--version", "v-test"])
    assert trained.exit_code == 0, trained.output
    assert "model v-test" in trained.output
    assert (data_dir / "routing" / "models" / "v-test.npz").is_file()

    result = runner.invoke(app, ["evaluate", "--from", str(test_file), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["model_version"] == "v-test"
    assert figures["rows"] == len(demo_corpus()) // 2
    assert 0.8 < figures["macro_f1"] <= 1.0 and 0.8 < figures["accuracy"] <= 1.0
    assert len(figures["confusion"]["labels"]) == 15
    assert "城乡建设" in figures["per_class"]

    text = runner.invoke(app, ["evaluate", "--from", str(test_file)])
    assert text.exit_code == 0, text.output
    assert "macro-F1" in text.output and "confusion matrix" in text.output

    listed = runner.invoke(app, ["models"])
    assert "* v-test" in listed.output


def test_train_reads_xlsx_with_chinese_headers(data_dir: Path) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped, unused-ignore]

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["标题", "内容", "类别"])
    for r in demo_corpus():
        ws.append([r.title, r.content, r.category])
    wb.save(data_dir / "history.xlsx")
    result = runner.invoke(app, ["train", "--from", str(data_dir / "history.xlsx")])
    assert result.exit_code == 0, result.output
    assert f"{len(demo_corpus())} rows" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title,content\n标题,内容\n", "needs a column category"),
        ("title,content,category\n路灯坏了,内容,天气\n路灯,x,城乡建设\n", "not in the taxonomy"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_a_reason(
    data_dir: Path, content: str, message: str
) -> None:
    path = data_dir / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["train", "--from", str(path)])
    assert result.exit_code != 0
    squeezed = "".join(c for c in result.output if c.isalnum() or c in "-_")  # rich wraps boxes
    assert "".join(message.split()) in squeezed
    assert not (data_dir / "routing" / "models").exists()


def test_the_service_uses_the_active_version_on_start(data_dir: Path) -> None:
    trained = runner.invoke(
        app, ["train", "--from", str(write_csv(data_dir / "t.csv")), "--version", "v-2"]
    )
    assert trained.exit_code == 0, trained.output
    (data_dir / "routing" / "models" / "v-2.npz").unlink()  # another host: the table has it

    async def start() -> tuple[str, str]:
        async with harness(SERVICE, data_dir) as h:
            deps: RoutingDeps = h.runtime.deps
            before = deps.model.current.version
            await on_start(h.runtime)
            assert deps.model.current.rules is deps.rules
            return before, deps.model.current.version

    # The CLI runs its own event loop, so this test is synchronous and runs one too.
    assert asyncio.run(start()) == ("default-demo-1", "v-2")
    assert (data_dir / "routing" / "models" / "v-2.npz").is_file()


def test_a_running_service_reloads_the_active_version_on_request(data_dir: Path) -> None:
    import httpx
    from fastapi import FastAPI

    from minyi.routing.entrypoints import http

    trained = runner.invoke(
        app, ["train", "--from", str(write_csv(data_dir / "t.csv")), "--version", "v-3"]
    )
    assert trained.exit_code == 0, trained.output

    async def serve_and_reload() -> tuple[dict[str, Any], dict[str, Any]]:
        async with harness(SERVICE, data_dir) as h:  # started before the reload: default
            assert h.runtime.deps.model.current.version == "default-demo-1"
            api = FastAPI()
            api.state.runtime = h.runtime
            api.include_router(http.router)
            transport = httpx.ASGITransport(api)
            admin = bearer(h.runtime.keyring, Principal(Role.ADMIN, "admin:test"))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://t", headers=admin
            ) as c:
                reloaded = (await c.post("/v1/models/reload")).json()
                listed = (await c.get("/v1/models")).json()
            return reloaded, listed

    reloaded, listed = asyncio.run(serve_and_reload())
    assert reloaded == {"in_use": "v-3"}
    assert listed["in_use"] == "v-3"
    assert [(v["version"], v["active"]) for v in listed["versions"]] == [("v-3", True)]
