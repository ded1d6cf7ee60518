# Two commands for a newcomer: `make synth` and `make test`. Both set everything up first.
# `make test` also runs the checkov security gate (tests/tools/test_security_gate.py).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# checkov cannot share .venv (see requirements-checkov.txt); it gets its own venv.
CHECKOV_VENV ?= .venv-checkov
BENCH_ARGS ?=
COST_ARGS ?=
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

.PHONY: setup synth test security cost bench clean inventory

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

synth: setup
	$(PY) main.py

test: setup
	$(PY) -m pytest

# The security gate alone, over a fresh synth in cdktf.out/ (the tests run it on their own synth).
security: synth
	$(PY) tools/security_gate.py --outdir cdktf.out

# Monthly estimate per stack and environment from a fresh synth and cost/prices.csv (no API calls);
# COST_ARGS=--detail lists every priced line.
cost: synth
	$(PY) tools/cost.py --outdir cdktf.out $(COST_ARGS)

# Record a deliberate removal of resource addresses (tests/address_inventory.json).
inventory: setup
	$(PY) -m tests.stacks.test_address_inventory --update

# Synth and test-suite timings and memory (not a test); BENCH_ARGS=--skip-tests to leave out pytest.
bench: setup
	$(PY) bench/synth_bench.py $(BENCH_ARGS)

clean:
	rm -rf cdktf.out $(VENV) $(CHECKOV_VENV)
