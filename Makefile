# daiwei: the two commands are `make demo` and `make test`; both set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export PATH := $(HOME)/.local/bin:$(PATH)

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_PACKAGES := chromium fonts-noto-cjk poppler-utils
INBOX := data/inbox
WAREHOUSE := data/warehouse.duckdb
PORT ?= 8501

.PHONY: help setup uv system-packages venv manifest demo demo-data build serve dagster test lint typecheck sqlfluff pytest contract chaos bench clean

help:
	@echo "make demo   - set up, generate the sample delivery, build the warehouse through Dagster, serve the dashboard"
	@echo "make test   - set up and run every check (ruff, mypy, sqlfluff, pytest incl. the browser check)"
	@echo "make dagster - the Dagster UI (asset graph) on http://localhost:3000"

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || \
	  (python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet --user --break-system-packages uv || python3 -m pip install --quiet uv)

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

venv: uv
	@$(UV) sync --frozen --quiet

manifest: venv
	@$(UV) run --frozen python -c "from orchestration.dbt_manifest import ensure_manifest; from orchestration.resources import dbt_project; ensure_manifest(dbt_project)"

setup: system-packages venv manifest

demo-data: venv
	$(UV) run --frozen daiwei demo-data --out $(INBOX)

build: setup
	$(UV) run --frozen daiwei run --input $(INBOX) --warehouse $(WAREHOUSE) || [ $$? -eq 1 ]

serve: venv
	@echo "看板 / dashboard: http://localhost:$(PORT)"
	$(UV) run --frozen daiwei serve --port $(PORT) --warehouse $(WAREHOUSE)

demo: setup demo-data build serve

dagster: setup
	mkdir -p data/dagster_home
	DAGSTER_HOME=$(CURDIR)/data/dagster_home DAIWEI_INBOX=$(CURDIR)/$(INBOX) $(UV) run --frozen dagster dev -m orchestration.definitions -p 3000

lint: venv
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports  # the import direction of ../shared/architecture.md (pyproject.toml)

typecheck: venv
	$(UV) run --frozen mypy core ingestion quality reporting orchestration app cli demo_data

sqlfluff: manifest
	$(UV) run --frozen sqlfluff lint dbt_project/models dbt_project/tests

pytest: setup
	$(UV) run --frozen pytest -q

test: setup lint typecheck pytest  # pytest includes the sqlfluff lint (tests/test_dbt_kpis.py)

contract: setup
	python3 ../shared/tools/contract_check.py

chaos: setup  # the fault campaign of docs/reliability.md (also part of make test)
	$(UV) run --frozen pytest -q tests/test_chaos.py tests/test_hostile_inputs.py tests/test_fresh_reads.py tests/test_inert_output.py tests/test_pipeline.py

bench: setup
	$(UV) run --frozen python benchmarks/ingest.py

clean:
	rm -rf data/.build data/warehouse.duckdb* dbt_project/target test-artifacts

MONTH ?= 2026-10
pack: venv
	$(UV) run --frozen daiwei pack --month $(MONTH) --out data/packs

bench-dashboard: venv
	$(UV) run --frozen python benchmarks/dashboard.py --warehouse $(WAREHOUSE) --render

screenshots: venv
	$(UV) run --frozen python -m app.screenshots --warehouse $(WAREHOUSE)
