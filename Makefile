# Care leavers' assistant. `make` (or `make help`) lists the targets.
# Every target sets up what it needs first: a fresh clone needs only `make run` or `make test`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
TOOLS := $(ROOT)/.tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
MODEL := $(ROOT)/models/careleavers.tar.gz
# Rasa 3.6 requires these but imports them only for features this project does not use
# (Kafka event brokers, Rocket.Chat and Mattermost channels): left out of the service's lock.
NEVER_IMPORTED := confluent-kafka rocketchat-api mattermostwrapper
# pip-audit lives in a virtualenv of its own: it needs a newer `packaging` than Rasa 3.6 allows.
AUDIT_VENV := $(ROOT)/.audit

# Two environments (README, "Two environments"): .venv, the Rasa runtime (the Rasa server
# and the action server) on Rasa 3.6's pins and Python 3.10; .venv-staff, the staff service
# (console, scheduler, command line) on a supported Python and current libraries.
STAFF_VENV := $(ROOT)/.venv-staff
STAFF_PY := $(STAFF_VENV)/bin/python

# Python 3.10 (Rasa 3.6 supports 3.8 to 3.10): on PATH, or installed by pyenv.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10.*/bin/python3.10; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { command -v $$p; break; }; done)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa 3.6 and its dependencies print pages of deprecation warnings on every start.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning
export PYTHONPATH := $(ROOT)
export ACTION_PORT ?= 5055
export ACTION_HOST ?= 127.0.0.1
export RASA_PORT ?= 5005

TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null | sort)

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Python 3.12 or later for the staff service (its lock is resolved for 3.12, so 3.12 first):
# on PATH, or installed by pyenv.
PYTHON_STAFF ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12.*/bin/python3.12 python3.13 python3.14; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info[:2] >= (3, 12)' 2>/dev/null && { command -v $$p; break; }; done)

$(UV):
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed (Rasa 3.6 runs on 3.8 to 3.10 only). Install it, e.g. 'pyenv install 3.10', then run make again." >&2; exit 1; }
	$(PYTHON310) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

RUNTIME_LOCKS := requirements.lock requirements-model.lock

# The service alone (make run, setup, train): no test or development tools. Where make
# install has put the tools in already, they are kept (synced with the rest) rather than
# removed from under a developer.
KEEP_TOOLS = $(wildcard $(VENV)/.installed)
$(VENV)/.runtime: $(RUNTIME_LOCKS) | $(UV)
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(UV) pip sync --quiet --python $(PY) $(RUNTIME_LOCKS) $(if $(KEEP_TOOLS),requirements-dev.lock)
	$(if $(KEEP_TOOLS),@touch $(VENV)/.installed)
	@touch $@

# The service and the tools to test and develop it (make test, test-fast, lint, bench).
$(VENV)/.installed: $(RUNTIME_LOCKS) requirements-dev.lock | $(UV)
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(UV) pip sync --quiet --python $(PY) $(RUNTIME_LOCKS) requirements-dev.lock
	@touch $@ $(VENV)/.runtime

# The staff service's environment, the same way: .runtime without the test tools (make run),
# .installed with them (make test).
STAFF_LOCKS := requirements-staff.lock requirements-model.lock
KEEP_STAFF_TOOLS = $(wildcard $(STAFF_VENV)/.installed)
define make_staff_venv
	@test -n "$(PYTHON_STAFF)" || { echo "Python 3.12 or later is needed for the staff service (.venv-staff). Install it, e.g. 'pyenv install 3.12', then run make again." >&2; exit 1; }
	@test -x $(STAFF_PY) || $(PYTHON_STAFF) -m venv $(STAFF_VENV)
endef
$(STAFF_VENV)/.runtime: $(STAFF_LOCKS) | $(UV)
	$(make_staff_venv)
	$(UV) pip sync --quiet --python $(STAFF_PY) $(STAFF_LOCKS) $(if $(KEEP_STAFF_TOOLS),requirements-staff-dev.lock)
	$(if $(KEEP_STAFF_TOOLS),@touch $(STAFF_VENV)/.installed)
	@touch $@

$(STAFF_VENV)/.installed: $(STAFF_LOCKS) requirements-staff-dev.lock | $(UV)
	$(make_staff_venv)
	$(UV) pip sync --quiet --python $(STAFF_PY) $(STAFF_LOCKS) requirements-staff-dev.lock
	@touch $@ $(STAFF_VENV)/.runtime

.PHONY: install
install: $(VENV)/.installed $(STAFF_VENV)/.installed ## Create both virtualenvs and install the locked dependencies, with the test and development tools

.PHONY: install-runtime
install-runtime: $(VENV)/.runtime $(STAFF_VENV)/.runtime ## Create both virtualenvs with the services' locked dependencies only (what make run installs)

.PHONY: install-staff
install-staff: $(STAFF_VENV)/.installed ## Create the staff service's virtualenv (.venv-staff, Python 3.12+) with its test tools

.PHONY: lock
lock: | $(UV) ## Re-resolve requirements*.in into the lock files (after changing a dependency)
	$(UV) pip compile requirements.in -o requirements.lock --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet $(addprefix --no-emit-package ,$(NEVER_IMPORTED))
	$(UV) pip compile requirements-dev.in -o requirements-dev.lock --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet
	$(UV) pip compile requirements-staff.in -o requirements-staff.lock --python-version 3.12 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet
	$(UV) pip compile requirements-staff-dev.in -o requirements-staff-dev.lock --python-version 3.12 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet
	$(UV) pip compile requirements-audit.in -o requirements-audit.lock --python-version 3.10 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet

.PHONY: setup
setup: install-runtime ## Migrate the database under var/ and load the content files into it
	$(STAFF_PY) -m bot setup

$(MODEL): $(TRAINING_INPUTS) $(VENV)/.runtime
	$(PY) -m rasa train --config config.yml --domain domain.yml --data data --out models --fixed-model-name careleavers --quiet
	$(PY) -m bot.served_model $@
	@touch $@

# The safety net's phrase bank, encoded once for every server (bot/safety/semantic.py);
# the NLU examples and the content's questions are its ordinary messages, so they count too.
SAFETY_BANK := $(ROOT)/models/.safety-bank
$(SAFETY_BANK): $(wildcard bot/safety/data/bank/*.yml) bot/safety/data/semantic.yml $(wildcard data/nlu/*.yml) $(wildcard entitlements/content/*/*.yaml) $(VENV)/.runtime
	$(PY) -m bot.safety.semantic build
	@mkdir -p $(dir $@) && touch $@

# The example bank of requests for a person (bot/person_request/semantic.py), encoded once
# for every server; the content's questions and the NLU examples are its near misses too.
PERSON_BANK := $(ROOT)/models/.person-bank
$(PERSON_BANK): bot/person_request/data/bank.yml bot/person_request/data/requests.yml $(wildcard data/nlu/*.yml) $(wildcard entitlements/content/*/*.yaml) $(VENV)/.runtime
	$(PY) -m bot.person_request.semantic build
	@mkdir -p $(dir $@) && touch $@

.PHONY: train
train: $(MODEL) $(SAFETY_BANK) $(PERSON_BANK) ## Train the Rasa model and encode the safety and person-request banks (only when their inputs changed)

.PHONY: demo-data
demo-data: setup ## Load the fake demo care leavers and staff (docs/people-import.md lists them)
	$(STAFF_PY) -m bot seed-demo

.PHONY: run
run: setup train ## Set everything up (demo people too, unless APP_ENV=production) and start the services
	@if [ "$${APP_ENV:-development}" != production ]; then $(MAKE) --no-print-directory demo-data; fi
	STAFF_PYTHON=$(STAFF_PY) $(PY) -m bot.launcher

.PHONY: cluster
cluster: install-runtime system-packages train ## Start the cluster: PostgreSQL, Redis, 2 action + 2 Rasa servers behind nginx (docs/cluster.md)
	STAFF_PYTHON=$(STAFF_PY) $(PY) -m bot.cluster

.PHONY: validate
validate: install ## Check the content files and Rasa's training data
	$(PY) -m entitlements validate
	$(PY) -m rasa data validate --domain domain.yml --data data --config config.yml --fail-on-warnings

.PHONY: lint
lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot entitlements actions

.PHONY: system-packages
system-packages: ## Install PostgreSQL, Chromium and npm from Debian's packages if missing (tests need them)
	@$(ROOT)/scripts/ensure-system-packages.sh

# axe-core for the browser tests' accessibility checks, exactly as package-lock.json pins it.
$(ROOT)/node_modules/.installed: package.json package-lock.json | system-packages
	cd $(ROOT) && npm ci --no-audit --no-fund --ignore-scripts --quiet
	@touch $@

.PHONY: node_modules
node_modules: $(ROOT)/node_modules/.installed ## Install the browser tests' JavaScript tools (npm ci)

$(AUDIT_VENV)/.installed: requirements-audit.lock | $(UV)
	@test -x $(AUDIT_VENV)/bin/python || $(PYTHON310) -m venv $(AUDIT_VENV)
	$(UV) pip sync --quiet --python $(AUDIT_VENV)/bin/python requirements-audit.lock
	@touch $@

# Known vulnerabilities we have looked at and accept, one id a line with the reason after a
# '#': docs/security.md explains each one.
AUDIT_IGNORES := $(shell sed -e 's/\#.*//' -e '/^[[:space:]]*$$/d' $(ROOT)/audit-ignore.txt 2>/dev/null)

# pip-audit asks PyPI's JSON API (/pypi/NAME/VERSION/json) for each pinned version's advisories.
# Where that API cannot be reached, `make audit` fails; `make test` (AUDIT_UNREACHABLE=warn)
# says loudly that no audit was done and goes on with the tests.
AUDIT_UNREACHABLE ?= fail
AUDIT_PROBE := https://pypi.org/pypi/pip-audit/2.10.1/json

.PHONY: audit
audit: $(AUDIT_VENV)/.installed ## Check every locked dependency for known vulnerabilities (pip-audit, PyPI's advisories)
	@if ! $(AUDIT_VENV)/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)' $(AUDIT_PROBE) 2>/dev/null; then \
	  echo "pip-audit: PyPI's vulnerability API ($(AUDIT_PROBE)) cannot be reached: NO DEPENDENCY AUDIT WAS DONE." >&2; \
	  test "$(AUDIT_UNREACHABLE)" = warn; exit $$?; \
	fi; \
	for lock in requirements.lock requirements-dev.lock requirements-model.lock requirements-staff.lock requirements-staff-dev.lock requirements-audit.lock; do \
	  echo "pip-audit: $$lock"; \
	  $(AUDIT_VENV)/bin/pip-audit --progress-spinner off --strict --disable-pip --require-hashes \
	    --vulnerability-service pypi -r $$lock $(foreach id,$(AUDIT_IGNORES),--ignore-vuln $(id)); \
	done

# How long a run took, printed at its end, pass or fail: `$(call timed,NAME)` first in a recipe
# whose steps are one shell line. The steps call make as $(SUBMAKE), not $(MAKE), so that
# `make -n` prints the line instead of running it.
timed = started=$$(date +%s); trap 'echo "make $(1) ran for $$(( ($$(date +%s) - started) / 60 )) min $$(( ($$(date +%s) - started) % 60 )) s"' EXIT;
SUBMAKE := $(MAKE) --no-print-directory

.PHONY: test-fast
# The unit tests on SQLite only: their PostgreSQL half (marked postgres) and the slow ones
# run in make test. They start Redis (redis-server) and compare the console's GOV.UK Frontend
# files with npm's: hence system-packages and node_modules (no-ops once there).
test-fast: install system-packages node_modules ## Everyday check, no servers: ruff, mypy, then the unit tests on SQLite, not the slow ones
	@$(call timed,test-fast) \
	$(SUBMAKE) lint && \
	$(PY) -m pytest -q tests/unit -m "not slow and not postgres"

# Every suite in .venv (the console and scheduler the e2e tests start run from .venv-staff,
# as make run starts them), then the tests that need no Rasa again in .venv-staff.
.PHONY: test
test: install system-packages node_modules train ## Run every test suite (lint, unit, PostgreSQL, Rasa, conversation, end-to-end); prints how long it took
	@$(call timed,test) \
	$(SUBMAKE) audit AUDIT_UNREACHABLE=warn && \
	$(SUBMAKE) lint && \
	$(SUBMAKE) validate && \
	STAFF_PYTHON=$(STAFF_PY) $(PY) -m pytest -q && \
	$(STAFF_PY) -m pytest -q --without-rasa tests/unit tests/integration && \
	ACTION_SERVER_SECRET="$${ACTION_SERVER_SECRET:-$$($(PY) -c 'import secrets; print(secrets.token_hex(32))')}" \
	  $(PY) -m rasa test core --stories tests/conversations --model $(MODEL) --endpoints endpoints.yml --out var/results --fail-on-prediction-errors --no-plot

.PHONY: bench
bench: install system-packages train setup ## Benchmarks: quality, latency, throughput, memory; then the cluster's (about 75 min)
	STAFF_PYTHON=$(STAFF_PY) $(PY) -m scripts.bench
	STAFF_PYTHON=$(STAFF_PY) $(PY) -m scripts.bench_cluster

.PHONY: bench-cluster
bench-cluster: install-runtime system-packages train ## The cluster's load, SMS and soak benchmarks only (LOAD_MINUTES, SMS_SECONDS, SOAK_MINUTES)
	STAFF_PYTHON=$(STAFF_PY) $(PY) -m scripts.bench_cluster

.PHONY: clean
clean: ## Remove the virtualenvs, models and run-time state (var/)
	rm -rf $(VENV) $(STAFF_VENV) $(TOOLS) models var .pytest_cache .mypy_cache .ruff_cache
