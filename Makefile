# gridwall: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# System packages the test suite drives for real (servers, browser, fonts, SIP client, PDF tools).
APT_PACKAGES := redis-server mosquitto chromium fonts-noto-cjk sip-tester poppler-utils faketime
PYTEST_ARGS ?=
# The fast tier: everything but the browser and the slow process tests, on every core.
FAST_ARGS ?= -m "not browser and not slow" -n auto -q
# How far ahead `make test-dates` runs the fast tier (faketime offsets).
DATE_OFFSETS ?= +200d +400d
# e.g. make demo DEMO_ARGS="--port 8057 --data-dir /tmp/gw-demo --no-browser"
DEMO_ARGS ?=

.PHONY: demo test test-fast test-dates lint format typecheck bench system-deps clean help

help:
	@echo "make demo   run gridwall on an embedded Redis with a simulated county (http://127.0.0.1:8050/)"
	@echo "make test        install what the tests need, lint, check the layers, run the whole suite"
	@echo "make test-fast   the fast tier (no browser, no slow process tests) in parallel"
	@echo "make test-dates  the fast tier as if it were months ahead (faketime $(DATE_OFFSETS))"
	@echo "make lint        ruff check, ruff format --check, mypy and the layer contract"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "gridwall needs $(PYTHON) (Debian 12: apt-get install python3)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "creating the virtual environment failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the project's metadata changes.
$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime
	$(BIN)/gridwall demo $(DEMO_ARGS)

system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c "import ensurepip" >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing system packages:$$missing (run as root, or: sudo apt-get install$$missing)"; \
	  fi; \
	fi

test: system-deps $(VENV)/.installed-dev lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: system-deps $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(FAST_ARGS) $(PYTEST_ARGS)

# No test may depend on today's date: the fast tier passes on days months from now too.
test-dates: system-deps $(VENV)/.installed-dev
	@for offset in $(DATE_OFFSETS); do \
	  echo "== the fast tier at today $$offset"; \
	  faketime -f "$$offset" $(BIN)/python -m pytest $(FAST_ARGS) $(PYTEST_ARGS) || exit 1; \
	done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-dev
	@echo "benchmarks are run one by one: see bench/README.md"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
