# daiwei: the two commands are `make demo` and `make test`; both set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export PATH := $(HOME)/.local/bin:$(PATH)

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_PACKAGES := chromium fonts-noto-cjk poppler-utils postgresql openjdk-17-jre-headless
INBOX := data/inbox
WAREHOUSE := data/warehouse.duckdb
PORT ?= 8501
PACKAGES := core ingestion quality reporting appstate orchestration app cli demo_data
DAGSTER_PORT ?= 3000
SENSOR ?= off
DAGSTER_ENV := DAGSTER_HOME=$(CURDIR)/data/dagster_home DAIWEI_INBOX=$(CURDIR)/$(INBOX)

.PHONY: help setup uv system-packages venv manifest demo demo-data demo-accounts build serve dagster test lint typecheck sqlfluff pytest contract chaos bench clean

help:
	@echo "make demo   - set up, generate the sample delivery, build the warehouse through Dagster, serve the dashboard"
	@echo "              on http://localhost:$(PORT) (another port: make demo PORT=8600)"
	@echo "make test   - set up and run every check (ruff, mypy, sqlfluff, pytest incl. the browser check)"
	@echo "make dagster - the Dagster UI (asset graph) on http://localhost:$(DAGSTER_PORT), inbox sensor off"
	@echo "              (make dagster SENSOR=on: the sensor loads every new file in $(INBOX) and republishes)"

uv:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || \
	  (python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet --user --break-system-packages uv || python3 -m pip install --quiet uv)

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

# Byte-compiled once per lock file: with PYTHONDONTWRITEBYTECODE set (as on our machines) Python would
# otherwise compile dbt, Dagster and Great Expectations from source in every process (8 s for dbt alone).
.venv/.bytecode: uv.lock | uv
	@$(UV) sync --frozen --quiet --compile-bytecode && touch $@

venv: uv .venv/.bytecode
	@$(UV) sync --frozen --quiet
	@.venv/bin/python -m compileall -q -j 0 $(PACKAGES)

manifest: venv
	@$(UV) run --frozen python -c "from orchestration.dbt_manifest import ensure_manifest; from orchestration.resources import dbt_project; ensure_manifest(dbt_project)"

setup: system-packages venv manifest

demo-data: venv
	$(UV) run --frozen daiwei demo-data --out $(INBOX)

build: setup
	$(UV) run --frozen daiwei run --input $(INBOX) --warehouse $(WAREHOUSE) || [ $$? -eq 1 ]

serve: venv  # `daiwei serve` prints the address, once
	$(UV) run --frozen daiwei serve --port $(PORT) --warehouse $(WAREHOUSE)

demo-accounts: venv  # one admin, analyst, auditor and one account per contractor; passwords printed once
	$(UV) run --frozen daiwei demo-accounts --warehouse $(WAREHOUSE)

demo: setup demo-data build demo-accounts serve

# The inbox sensor starts a run (and republishes the warehouse) for every new file in $(INBOX): it is set
# to SENSOR (off unless SENSOR=on) each time, before the UI starts. The schedules stay as the UI left them
# (off at first).
dagster: setup
	@case "$(SENSOR)" in on|off) ;; *) echo "SENSOR 应为 on 或 off / SENSOR must be on or off: $(SENSOR)"; exit 2;; esac
	@mkdir -p data/dagster_home
	@[ -s data/dagster_home/dagster.yaml ] || printf 'telemetry:\n  enabled: false\n' > data/dagster_home/dagster.yaml
	@$(DAGSTER_ENV) $(UV) run --frozen dagster sensor $(if $(filter on,$(SENSOR)),start,stop) inbox_sensor \
	  -m orchestration.definitions >/dev/null 2>data/dagster_home/sensor.log || { cat data/dagster_home/sensor.log; exit 1; }
	@if [ "$(SENSOR)" = on ]; then \
	  echo "收件箱传感器已开启 / inbox sensor on: a new file in $(INBOX) starts a run that republishes $(WAREHOUSE)"; \
	else echo "收件箱传感器已关闭 / inbox sensor off (to turn it on: make dagster SENSOR=on, or Automation in the UI)"; fi
	$(DAGSTER_ENV) $(UV) run --frozen dagster dev -m orchestration.definitions -p $(DAGSTER_PORT)

lint: venv
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports  # the import direction of ../shared/architecture.md (pyproject.toml)

typecheck: venv
	$(UV) run --frozen mypy core ingestion quality reporting appstate orchestration app cli demo_data

sqlfluff: manifest
	$(UV) run --frozen sqlfluff lint dbt_project/models dbt_project/tests

# Two workers (the machine has 2 cores); a file stays on one worker. The run's own temporary folder, not
# /tmp/pytest-of-$USER: pytest prunes old numbered folders there, and another pytest on the machine would
# delete this run's live files (kept on a failure, to look at).
pytest: setup
	@bt=$$(mktemp -d /tmp/daiwei-pytest.XXXXXX); \
	$(UV) run --frozen pytest -q -n 2 --dist loadfile --basetemp="$$bt"; rc=$$?; \
	if [ $$rc -eq 0 ]; then rm -rf "$$bt"; else echo "temporary files kept in $$bt"; fi; exit $$rc

test: setup lint typecheck pytest  # pytest includes the sqlfluff lint (tests/test_dbt_kpis.py)

contract: setup
	python3 ../shared/tools/contract_check.py

chaos: setup  # the fault campaign of docs/reliability.md (also part of make test)
	$(UV) run --frozen pytest -q tests/test_chaos.py tests/test_hostile_inputs.py tests/test_fresh_reads.py tests/test_inert_output.py tests/test_pipeline.py

# The figures of docs/performance.md (each prints its raw-engine baseline from the same run). The province
# benchmark writes ~1 GB of delivery once and takes ~10 minutes.
bench: setup
	$(UV) run --frozen python benchmarks/demo_run.py
	$(UV) run --frozen python benchmarks/ingest.py --sizes 20M,100M
	$(UV) run --frozen python benchmarks/build.py

clean:
	rm -rf data/.build data/.dbt data/warehouse.duckdb* dbt_project/target test-artifacts

MONTH ?= 2026-10
pack: venv
	$(UV) run --frozen daiwei pack --month $(MONTH) --out data/packs

bench-dashboard: venv
	$(UV) run --frozen python benchmarks/dashboard.py --warehouse $(WAREHOUSE) --render

screenshots: venv
	$(UV) run --frozen python -m app.screenshots --warehouse $(WAREHOUSE)
