# Porch: `make run` serves the demo portal, `make test` runs every check.
SHELL := /bin/bash
# Debian's own Python 3.11 where it can make a venv (python3.11-venv), else python3.11 from PATH. Debian builds
# it with profile-guided optimisation and LTO, and every page renders about a fifth faster on it than on an
# unoptimised build (pyenv's default); it is also the one a deployment runs (README, Running it for real).
PYTHON ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1 && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app:create_app

.PHONY: run test setup build-deps system-deps translations lint format bench clean

$(BIN)/activate: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Porch needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	@$(MAKE) --no-print-directory build-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

setup: build-deps $(BIN)/activate translations

translations: $(BIN)/activate
	@$(BIN)/pybabel compile -d translations >/dev/null

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo "Porch is at http://127.0.0.1:$(PORT)/ (log in as owner@solrosen.example / demo-password)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# What Porch itself needs from the system, installed through apt when missing and we are root (otherwise
# we say what to install): ICU's headers, pkg-config and a C++ compiler to build PyICU (names sorted as
# each language sorts them), and WeasyPrint's Pango and the DejaVu fonts the PDFs embed.
build-deps:
	@missing=""; pkg-config --exists icu-i18n 2>/dev/null || missing="libicu-dev pkg-config"; \
	  command -v g++ >/dev/null || missing="$$missing g++"; \
	  ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	  $(PYTHON) -c 'import sys, sysconfig, os; sys.exit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))' \
	    2>/dev/null || missing="$$missing python3-dev"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing python3-dev >/dev/null; \
	    else echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	  fi

# The tests' tools: Redis, Chromium, poppler (pdftotext), zbar and Node.js with npm (for axe-core),
# installed the same way. Each entry is command:package[,package…].
SYSTEM_TOOLS := redis-server:redis-server chromium:chromium pdftotext:poppler-utils zbarimg:zbar-tools npm:nodejs,npm
system-deps:
	@missing=""; for pair in $(SYSTEM_TOOLS); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null || [ -x /usr/bin/$$cmd ] || [ -x /usr/sbin/$$cmd ] || missing="$$missing $$(echo $$pkg | tr , ' ')"; done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	  fi

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/activate
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# axe-core for the browser tests (test code, never served), as pinned in the lock file.
AXE := tests/browser/node_modules/axe-core/package.json
$(AXE): tests/browser/package.json tests/browser/package-lock.json | system-deps
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

# One pytest worker per core (at most 4): each has its own SQLite copies, or on PostgreSQL its own
# database (test_gw0, test_gw1, …) and Redis db (tests/conftest.py).
TEST_WORKERS ?= auto --maxprocesses=4

test: system-deps setup lint $(AXE)
	$(BIN)/pytest -q -n $(TEST_WORKERS)
ifeq ($(CI),true)
	@echo "--- again on PostgreSQL and the Redis on 127.0.0.1 ---"
	PORCH_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
	PORCH_TEST_REDIS_URL=redis://127.0.0.1:6379/15 $(BIN)/pytest -q -n $(TEST_WORKERS) -m "not browser"
endif

bench: setup
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/register.py
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/billing.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache tests/browser/node_modules
