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

.PHONY: up test lint bench bench-routing env clean

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit("Minyi needs Python 3.11 or newer (found %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	$(UV) sync --frozen --all-packages
	@touch $@

env: $(VENV)/.synced

up: env
	$(VENV)/bin/minyi up

test: env
	$(VENV)/bin/python -m pytest

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared/src services/*/src

clean:
	rm -rf $(TOOLS) $(VENV) .minyi .pytest_cache .mypy_cache .ruff_cache
