# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make demo   install, then run the end-to-end job
#   make test   install, then lint, type-check and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,exports]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fieldkit demo --out demo-out

lint: $(STAMP)
	$(BIN)/ruff check fieldkit tests bench
	$(BIN)/ruff format --check fieldkit tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/run --size small

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
