# The two commands: `make up` runs the whole system, `make test` runs every test.
# Both install what they need: a pinned uv in .tools/, then the locked environment in .venv/.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: up test test-fast lint bench bench-routing bench-soak browser office env clean simulate

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit("Minyi needs Python 3.11 or newer (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (it is on this machine kind)
# nothing is ever cached, and every process compiled what it imports from source — 1.5 s of
# each service's 3–5 s start, and `make test` starts about two hundred of them.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

# The project's own sources too (installed editable, so not by uv); only what changed.
env: $(VENV)/.synced
	@$(VENV)/bin/python -m compileall -q -j0 shared/src services/*/src > /dev/null

up: env
	$(VENV)/bin/minyi up

# Every test, in two passes: all but the fault suite and the browser tests on TEST_WORKERS
# pytest workers, then those alone. The fault suite kills processes and cuts links mid-load
# and times what follows; a browser test on the shared cores once saw a page script error
# (issue 21, twelfth round) that it never saw alone. The rest wait on started processes,
# clocks and the bus more than they compute: on this 2-core machine kind all but the fault
# suite took 9:24 on four workers and 11:01 on two; its tests' durations add up to 13:45 in
# one process (TEST_WORKERS=0: no workers, as before).
TEST_WORKERS ?= 4
ALONE := tests/faults $(wildcard services/*/tests/browser)
test: env browser office
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) $(addprefix --ignore=,$(ALONE))
	$(VENV)/bin/python -m pytest $(ALONE)

# The inner loop (under 2 minutes here): unit and in-process tests of every service and the
# platform, the shape and contract checks; no real processes, browser or PostgreSQL (the
# store-parametrized tests run on SQLite only). One worker per core: the tests share nothing
# (each starts its own nats-server and stores), and one process spent 2:15–2:25 here.
test-fast: env
	$(VENV)/bin/python -m pytest -q -n auto -m "not e2e and not postgres" -k "not postgresql" \
		services/*/tests/unit services/*/tests/integration tests/architecture tests/contract tests/platform \
		tests/cli

# Browser tests drive Debian's chromium (never a downloaded browser); CJK fonts so that
# screenshots show Chinese. Installed when missing and we may (root with apt); otherwise
# those tests skip and say why.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
		|| echo "could not install chromium: the browser tests will be skipped"; \
	else echo "no chromium and no root/apt: the browser tests will be skipped"; fi

# The monthly report's PDF (minyi reporting report --out x.pdf) is LibreOffice's conversion of
# the Word document; pdftoppm (poppler-utils) renders its pages for docs/img. Installed like
# the browser: when missing and we may (root with apt); otherwise the PDF is skipped, saying why.
office:
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's libreoffice-writer-nogui and poppler-utils for the report's PDF"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils fonts-noto-cjk >/dev/null) \
		|| echo "could not install LibreOffice: the report's PDF will be skipped"; \
	else echo "no LibreOffice and no root/apt: the report's PDF will be skipped"; fi

# A month of synthetic citizens and units on an accelerated clock (dashboards stay up).
simulate: env
	$(VENV)/bin/minyi simulate --projects 7

# Minyi against the raw limits of its building blocks, in one run (about 8-10 minutes).
bench: env
	$(VENV)/bin/python -m tests.load.bench

# 100,000 suggestions (RSS after them), then ten minutes at a steady 20–30 % of the sustained
# rate with RSS sampled every 30 s (about 20 minutes; not in CI).
bench-soak: env
	$(VENV)/bin/python -m tests.load.bench --soak 10

bench-routing: env
	mkdir -p bench-results
	$(VENV)/bin/python services/routing/bench/bench_routing.py --json bench-results/routing.json

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared/src services/*/src

clean:
	rm -rf $(TOOLS) $(VENV) .minyi .pytest_cache .mypy_cache .ruff_cache
