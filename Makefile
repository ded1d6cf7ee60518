# `make help` lists the targets. `make synth` and `make test` set everything up first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# checkov cannot share .venv (see requirements-checkov.txt); it gets its own venv, which only the
# security gate (make test, make security) needs.
CHECKOV_VENV ?= .venv-checkov
BENCH_ARGS ?=
COST_ARGS ?=
# One environment (make synth ENV=prod); empty: all of envs/. Also limits list, preflight, cost and diagram.
ENV ?=
ENV_ARGS := $(foreach e,$(ENV),--env $(e))
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

.PHONY: help setup setup-security synth list preflight test security diagram lock cost schema inventory bench clean cdktf-app

help: ## this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  ENV=<name> limits synth, list, preflight, cost and diagram to one environment (e.g. make synth ENV=prod)."

setup: $(VENV)/.installed ## create .venv from requirements.txt (the app, the test suite and its tools)

setup-security: $(CHECKOV_VENV)/.installed ## create .venv-checkov for the security gate

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

synth: setup ## validate envs/*.yaml and synthesize into cdktf.out/ (ENV=<name>: only that one)
	$(PY) main.py $(ENV_ARGS)

list: setup ## stacks and apply waves from the configuration, without a synth
	@$(PY) main.py --list $(ENV_ARGS)

preflight: setup ## placeholders left and subscription requirements; exit 0 only when deployable
	$(PY) -m tools.preflight $(ENV_ARGS)

# Python writes its bytecode cache (__pycache__/, gitignored) during the suite even where the
# environment sets PYTHONDONTWRITEBYTECODE, as some container images do: the suite starts about ten
# Python processes that import the project's modules, and pytest keeps its rewritten test modules
# there too. Without the cache every run compiles all of them again (~1 s of the suite).
test: setup setup-security ## the whole test suite, including the checkov gate
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest

security: setup-security synth ## the checkov gate alone over a fresh synth in cdktf.out/
	$(PY) tools/security_gate.py --outdir cdktf.out

# Needs Graphviz's `dot` (Debian/Ubuntu: apt-get install graphviz); fails with that hint without it.
diagram: setup ## topology per environment from the synthesized JSON: cdktf.out/diagrams/<env>.{png,svg,gv} (make synth draws them too)
	$(PY) tools/diagram.py --outdir cdktf.out $(ENV_ARGS)

# Needs terraform and the network; a later synth keeps the lock files.
LOCK_ARGS ?=
lock: setup ## .terraform.lock.hcl in every stack folder for linux, macOS and Windows (LOCK_ARGS=--dry-run)
	$(PY) tools/lock_providers.py --outdir cdktf.out $(LOCK_ARGS)

cost: synth ## monthly estimate per stack and environment from cdktf.out/ and cost/prices.csv (COST_ARGS=--detail)
	$(PY) tools/cost.py --outdir cdktf.out $(ENV_ARGS) $(COST_ARGS)

schema: setup ## envs/environment.schema.json, docs/example.yaml, README's key table from the model (ARGS=--check)
	$(PY) -m tools.env_schema $(ARGS)

inventory: setup ## record a deliberate removal of resource addresses (tests/address_inventory.json)
	$(PY) -m tests.stacks.test_address_inventory --update

bench: setup setup-security ## synth and test-suite timings and memory; BENCH_ARGS=--skip-tests to skip pytest
	$(PY) bench/synth_bench.py $(BENCH_ARGS)

clean: ## remove cdktf.out/ and both virtual environments
	rm -rf cdktf.out $(VENV) $(CHECKOV_VENV)

# The `app` of cdktf.json: `npx cdktf synth` on a fresh clone sets up .venv first (its output goes
# to standard error, so the cdktf CLI shows it), then runs main.py into the CLI's output folder.
cdktf-app:
	@$(MAKE) --no-print-directory setup >&2
	@$(PY) main.py --quiet
