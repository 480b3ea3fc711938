# Portico: `make run` serves the embedded default, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Mail-in's SMTP port, on HOST (PORTICO_MAILIN_PORT in the environment wins).
MAIL_PORT ?= $(or $(PORTICO_MAILIN_PORT),2525)
# Python 3.13, as .python-version says: pyenv's shim or a system python3.13.
PYTHON ?= $(shell command -v python3.13 2>/dev/null || ls -d /root/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null | tail -n 1)

.PHONY: help run serve test test-deploy lint fmt typecheck migrations-check audit pytest pytest-sqlite pytest-postgres test-deps debian-deps setup bench clean

help:
	@echo "make run    set everything up and serve Portico on http://$(HOST):$(PORT)"
	@echo "make test   install what the tests need, then lint, type-check and test (SQLite and PostgreSQL)"
	@echo "make lint | fmt | typecheck | audit | pytest-sqlite | pytest-postgres | test-deploy | clean"

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.13 is needed (pyenv install 3.13, or apt install python3.13)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/portico prepare --demo
	@echo
	@echo "Portico is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "Mail-in takes mail for the support mailbox over SMTP on $(HOST):$(MAIL_PORT)."
	@if [ -n "$$EMAIL_HOST" ]; then echo "Mail out goes to the SMTP server $$EMAIL_HOST:$${EMAIL_PORT:-25}."; \
	else echo "Mail out is written to files under var/mail/ (set EMAIL_HOST and EMAIL_PORT to send it)."; fi
	$(BIN)/portico serve --host $(HOST) --port $(PORT) --mail-port $(MAIL_PORT)

AXE_VERSION := 4.14.1
AXE := var/axe/node_modules/axe-core/axe.min.js

# Replies from real mail clients for the quote-cutting tests: the fixtures of talon's
# source distribution, fetched at test time like axe-core (read, never committed).
TALON_VERSION := 1.4.4
TALON := var/talon/talon-$(TALON_VERSION)/tests/fixtures

# Debian packages the tests drive: a PostgreSQL server (the tests start their own
# throwaway cluster), Chromium (the browser tests), npm (for axe-core, the
# accessibility engine injected into pages by the browser tests) and Dovecot's IMAP
# server (the tests start their own, unprivileged, for `portico mailin --imap`); nginx,
# Redis and openssl for the production stack's tests (started unprivileged, on free ports).
test-deps: debian-deps $(AXE) $(TALON)

debian-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	test -x /usr/sbin/dovecot || missing="$$missing dovecot-imapd"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	test -x /usr/bin/redis-server || missing="$$missing redis-server"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(AXE): | debian-deps
	npm install --prefix var/axe --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION)
	@test -f $(AXE)

$(TALON): | setup
	$(BIN)/pip download --quiet --no-deps --no-binary :all: --dest var/talon talon==$(TALON_VERSION)
	tar -xzf var/talon/talon-$(TALON_VERSION).tar.gz -C var/talon
	@test -d $(TALON)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

migrations-check: setup
	PORTICO_VAR_DIR=$$(mktemp -d) $(BIN)/portico makemigrations --check --dry-run

pytest-sqlite: setup test-deps
	$(BIN)/pytest -n 2 -q

pytest-postgres: setup test-deps
	PORTICO_TEST_DATABASE=postgres $(BIN)/pytest -n 2 -q

# Known vulnerabilities in every installed dependency, from PyPI's advisory data
# (pip-audit asks pypi.org/pypi/<name>/<version>/json; Portico itself, installed
# editable, is not on PyPI). --strict: a dependency that cannot be looked up fails the
# audit. Where that API cannot be reached at all the audit cannot run, and says so.
AUDIT_PROBE := https://pypi.org/pypi/pip-audit/2.10.1/json
audit: setup
	@if $(BIN)/python -c "import urllib.request; urllib.request.urlopen('$(AUDIT_PROBE)', timeout=20)" 2>/dev/null; then \
	  $(BIN)/pip-audit --strict --progress-spinner off --skip-editable; \
	else \
	  echo "make audit: $(AUDIT_PROBE) is not reachable from here: dependencies NOT audited."; \
	fi

# The production stack alone (deploy/: nginx, two app servers, two workers, PostgreSQL,
# Redis, started unprivileged on 127.0.0.1); `make test` runs it within the SQLite pass.
test-deploy: setup debian-deps
	$(BIN)/pytest -n 0 -q tests/deploy

test: setup test-deps lint typecheck migrations-check audit pytest-sqlite pytest-postgres

# Benchmarks: SCALE=S (10,000 transactions on SQLite, the default) or SCALE=L (1,000,000 on
# a throwaway PostgreSQL cluster). See bench/README.md.
SCALE ?= S
bench: setup test-deps
	@command -v wrk >/dev/null 2>&1 || { \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench --scale $(SCALE)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
