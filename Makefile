# Two entry points: `make demo` (set up, run the main job end to end) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DEMO ?= demo

.PHONY: demo test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	rm -f $(DEMO)/run.duckdb && mkdir -p $(DEMO)
	$(BIN)/sockscope ingest examples/sample/*.csv examples/sample/*.jsonl examples/sample/*.json --db $(DEMO)/run.duckdb
	$(BIN)/sockscope info --db $(DEMO)/run.duckdb

test: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
