# STI dashboard — developer and CI entry points (GNU make).
#
#   make run          Flask dev server on $(HOST):$(PORT)
#   make serve        gunicorn (components/server/gunicorn_conf.py: STI_WORKERS workers)
#   make worker       Celery worker for background jobs (with STI_REDIS_URL)
#   make test         make lint, then every tier of the suite: unit, integration and browser (one pytest run)
#   make test-fast    the unit tier only (no process, server or browser started; under a minute)
#   make test-integration  real processes: app.py, gunicorn, redis-server, Celery, kaleido, the benchmarks
#   make test-browser the browser tier (Playwright driving Debian's Chromium against app.py run)
#   make loadtest     USERS logged-in people changing filters for SECONDS, then a SOAK with worker memory
#   make system-deps  Debian Chromium + Noto CJK fonts (installs them when run as root)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

HOST ?= 127.0.0.1
PORT ?= 8050
DATA_DIR ?= data/sample
PYTEST_ARGS ?=

# Interpreter used only to create the venv: python3.11 if present, else python3.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BUNDLE := build/plotly/manifest.json
LIGHTHOUSE := build/lighthouse/node_modules/lighthouse/package.json
CHROMIUM := /usr/bin/chromium
APT_PACKAGES := chromium fonts-noto-cjk redis-server libreoffice-writer poppler-utils

.PHONY: help venv .venv install run serve worker system-deps test test-fast test-integration test-browser lint bench \
	bench-monthly bench-smoke loadtest check clean distclean

help: ## List the targets
	@grep -E '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# --- Python environment --------------------------------------------------------------------------

$(VPY):
	@test -n "$(PYTHON)" || { echo "error: no python3.11 or python3 on PATH" >&2; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version 2>&1))"
	@$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml changed since the last successful install.
$(STAMP): pyproject.toml | $(VPY)
	@echo "Installing the project and its test extras into $(VENV)"
	@$(VPY) -m pip install -qq --disable-pip-version-check -e '.[test,build]'
	@touch $@

# The page's partial plotly.js, from the npm registry (components/server/bundle.py); rebuilt when its inputs change.
$(BUNDLE): components/server/web/plotly-entry.js components/server/bundle.py $(STAMP)
	@$(VPY) -m components.server.bundle

# Lighthouse for the benchmarks, from the npm registry (bench/lighthouse.py).
$(LIGHTHOUSE): bench/lighthouse.py $(STAMP)
	@$(VPY) -c "from bench import lighthouse; lighthouse.install()"

install: $(STAMP) $(BUNDLE) ## Create .venv, install the project with its extras, build the plotly.js bundle

venv .venv: install

# --- Running -------------------------------------------------------------------------------------

run: install ## Dash dev server (HOST, PORT, STI_DATA_DIR, STI_CACHE_DIR)
	$(VPY) app.py run --host $(HOST) --port $(PORT)

serve: install ## gunicorn on HOST:PORT, STI_WORKERS workers (components/server/gunicorn_conf.py)
	STI_HOST=$(HOST) STI_PORT=$(PORT) $(VENV)/bin/gunicorn -c python:components.server.gunicorn_conf app:server

worker: install ## Celery worker for background jobs (the PPTX export); needs STI_REDIS_URL, like the app
	$(VENV)/bin/celery -A app:celery_app worker --concurrency 1 --loglevel INFO

check: install ## Validate the sample dataset (DATA_DIR)
	$(VPY) app.py check $(DATA_DIR)

bench: install system-deps $(LIGHTHOUSE) ## Benchmarks: Chromium (beside a naive peer), server time, throughput (README)
	$(VPY) -m bench

bench-monthly: install system-deps ## The monthly-scale benchmark beside the sample (bench/scale.py; ~15 min)
	$(VPY) -m bench monthly

bench-smoke: install system-deps $(LIGHTHOUSE) ## A short run of every benchmark (also part of make test)
	$(VPY) -m bench --smoke

# Exit 1 on any failed request or login, 3 when a worker's memory moved by more than 10% (bench/loadtest.py).
loadtest: install ## USERS (50) logged in changing filters for SECONDS (60), then a soak of SOAK (10000) callbacks
	$(VPY) -m bench.loadtest --users $(or $(USERS),50) --seconds $(or $(SECONDS),60) --soak $(or $(SOAK),10000)

# --- System packages for the browser tests -------------------------------------------------------

system-deps: ## Ensure Debian chromium, fonts-noto-cjk, redis-server, libreoffice-writer, poppler-utils (apt-get as root)
	@missing=""; \
	test -x $(CHROMIUM) || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if ! { command -v fc-list >/dev/null 2>&1 && fc-list : family | grep -i 'Noto Sans CJK' >/dev/null; } \
	   && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then missing="$$missing fonts-noto-cjk"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "error: missing system packages:$$missing" >&2; \
	  echo "       install them with: sudo apt-get install $(APT_PACKAGES)" >&2; \
	  exit 1; \
	fi; \
	echo "Installing system packages:$$missing"; \
	dpkg --configure -a; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES)

# --- Quality -------------------------------------------------------------------------------------

lint: install ## ruff, mypy (its settings: pyproject.toml), the import contracts between the layers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The tiers: tests/unit starts no process, server or browser; tests/integration runs real
# processes (app.py, gunicorn, redis-server, Celery, kaleido's Chromium, the benchmarks); tests/browser drives
# Debian's Chromium through Playwright. `make test` runs all three in ONE pytest run on WORKERS xdist workers, so
# no core idles at a tier's tail: the longest tests come first (tests/conftest.py) and a worker that runs out
# of tests takes half of another's queue (--dist worksteal; xdist's default hands out fixed chunks, and the
# chunk holding the browser tier then runs on one core alone). The slowest durations are listed at the end.
# A test file's name is unique across the tiers (pytest imports them by base name in one run). No test is timed.
# PYTEST_ARGS: just what it selects, one process.
WORKERS ?= 2
PYTEST := $(VPY) -m pytest
XDIST := -n $(WORKERS) --dist worksteal

test: install system-deps $(LIGHTHOUSE) ## make lint, then every tier (screenshots in artifacts/)
	@$(MAKE) lint
ifeq ($(strip $(PYTEST_ARGS)),)
	$(PYTEST) $(XDIST) --durations=25 tests/unit tests/integration tests/browser
else
	$(PYTEST) $(PYTEST_ARGS)
endif

test-fast: install ## The unit tier only: no process, server or browser (under a minute on 2 cores)
	$(PYTEST) $(XDIST) -q --durations=10 tests/unit

test-integration: install system-deps $(LIGHTHOUSE) ## The integration tier: real processes, servers, kaleido
	$(PYTEST) $(XDIST) --durations=10 tests/integration

test-browser: install system-deps ## The browser tier: Playwright and Debian's Chromium
	$(PYTEST) $(XDIST) --durations=10 tests/browser

clean: ## Remove caches, build output and test artifacts (keeps .venv)
	rm -rf artifacts build .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . \( -path ./$(VENV) -o -path ./.git \) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv too
	rm -rf $(VENV)
