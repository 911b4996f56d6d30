# oppf-sandbox: `make serve` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
BROWSERSTAMP := $(VENV)/.browser

SANDBOX_HOST  ?= 127.0.0.1
SANDBOX_PORT  ?= 8800
SANDBOX_SEED  ?= 42
SANDBOX_CLOCK ?= now
# SANDBOX_SPEED (and every other SANDBOX_* option) is read by the command itself.
export SANDBOX_HOST SANDBOX_PORT SANDBOX_SEED SANDBOX_CLOCK

.PHONY: serve test lint typecheck fuzz bench bench-quick bench-soak examples openapi screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

# Chromium (Debian's) and a Korean font for the console's browser tests and screenshots
$(BROWSERSTAMP): scripts/install-browser.sh | $(PY)
	sh scripts/install-browser.sh
	touch $@

serve: $(STAMP)
	$(VENV)/bin/oppf-sandbox serve

test: $(DEVSTAMP) $(BROWSERSTAMP)
	$(VENV)/bin/ruff check sandbox tests bench scripts
	$(VENV)/bin/mypy sandbox
	$(PY) -m pytest

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check sandbox tests bench scripts

typecheck: $(DEVSTAMP)
	$(VENV)/bin/mypy sandbox

# the schemathesis fuzz of every operation, longer than the bounded run inside `make test`
fuzz: $(DEVSTAMP)
	SANDBOX_FUZZ_EXAMPLES=$${SANDBOX_FUZZ_EXAMPLES:-200} $(PY) -m pytest tests/test_fuzz_schemathesis.py

# re-record the response of every operation example (schemas/<group>/<name>.example.json)
examples: $(DEVSTAMP)
	$(PY) scripts/examples.py

bench: $(DEVSTAMP)
	$(PY) bench/run.py
	$(PY) bench/market.py
	$(PY) bench/accounts.py
	$(PY) bench/streaming.py
	$(PY) bench/orders.py
	$(PY) bench/partners.py
	$(PY) bench/scenarios.py

bench-quick: $(DEVSTAMP)
	$(PY) bench/run.py --quick
	$(PY) bench/market.py --quick
	$(PY) bench/streaming.py --quick
	$(PY) bench/orders.py --quick
	$(PY) bench/accounts.py --quick
	$(PY) bench/partners.py --quick
	$(PY) bench/scenarios.py --quick

# ten minutes of mixed traffic against a served emulator, RSS sampled every 10 s
bench-soak: $(DEVSTAMP)
	$(PY) bench/soak.py

# a PNG of every console view (docs/screenshots/<view>.png), linked from the README
screenshots: $(DEVSTAMP) $(BROWSERSTAMP)
	$(PY) scripts/screenshots.py

openapi: $(STAMP)
	$(VENV)/bin/oppf-sandbox openapi -o openapi.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
