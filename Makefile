# Two entry points: `make demo` (set up, run the main job end to end) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DEMO ?= demo

.PHONY: demo sample test bench clean browser java

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,spark]'
	touch $@

# simulate a world with ground truth, detect with the best method available, score it
demo: $(BIN)/.installed
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/sockscope simulate --seed 1 --operation --out $(DEMO)/world
	$(BIN)/sockscope detect $(DEMO)/world/tweets.csv $(DEMO)/world/users.csv $(DEMO)/world/articles.csv --out $(DEMO)/result
	$(BIN)/sockscope evaluate --truth $(DEMO)/world/truth.csv --result $(DEMO)/result

sample: $(BIN)/.installed
	rm -f $(DEMO)/sample.duckdb && mkdir -p $(DEMO)
	$(BIN)/sockscope ingest examples/sample/* --db $(DEMO)/sample.duckdb
	$(BIN)/sockscope info --db $(DEMO)/sample.duckdb

# the report's browser tests drive Debian's Chromium (Playwright's own download fails here)
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "warning: Chromium not installed; browser tests will be skipped"

# the Spark engine's tests need a Java runtime (17 or later)
java:
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) || echo "warning: Java not installed; Spark engine tests will be skipped"

test: $(BIN)/.installed browser java
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -n 2 --dist loadgroup

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
