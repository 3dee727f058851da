# defsearch: the Makefile is the entry point. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
# `make bench OPENSEARCH_URL=http://127.0.0.1:9200` adds the OpenSearch engine to the bench.
OPENSEARCH_URL ?=

.DEFAULT_GOAL := help
.PHONY: help run index serve test check lint bench bench-quick bench-100k bench-opensearch browser opensearch-up opensearch-down clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP) index ## Set up, index the corpus and serve the web UI on 127.0.0.1
	$(BIN)/defsearch serve --host $(HOST) --port $(PORT)

index: $(STAMP) ## Sync the index with corpus/
	$(BIN)/defsearch index

test: $(STAMP) browser ## Run the whole test suite
	$(BIN)/pytest

check: $(STAMP) ## Quick lane, under a minute: unit tests, no browser, no real processes
	$(BIN)/pytest -q -m "not slow"

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP) ## Benchmark on 20,000 synthetic articles (prints a table and JSON)
	PYTHONPATH=tests $(BIN)/python -m bench --count 20000 --repeat 1 --sync-repeat 2 --profile \
		$(if $(OPENSEARCH_URL),--opensearch-url $(OPENSEARCH_URL))

bench-100k: $(STAMP) ## Benchmark on 100,000 synthetic articles (about half an hour)
	PYTHONPATH=tests $(BIN)/python -m bench --count 100000 --repeat 1 --sync-repeat 3 --cli-runs 3 --skip analysis --profile \
		$(if $(OPENSEARCH_URL),--opensearch-url $(OPENSEARCH_URL))

bench-quick: $(STAMP) ## Benchmark on 2,000 synthetic articles
	PYTHONPATH=tests $(BIN)/python -m bench --count 2000 \
		$(if $(OPENSEARCH_URL),--opensearch-url $(OPENSEARCH_URL))

bench-opensearch: $(STAMP) ## OpenSearch vs Whoosh on 2,000 articles (OPENSEARCH_URL, after opensearch-up)
	PYTHONPATH=tests $(BIN)/python -m bench.opensearch --count 2000 \
		--opensearch-url $(or $(OPENSEARCH_URL),http://127.0.0.1:$(or $(OPENSEARCH_PORT),9200))

browser: ## Install Debian's headless Chromium for the browser tests if it is missing
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing chromium (Debian package) for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

opensearch-up: ## Start a local OpenSearch node in the background (OPENSEARCH_PORT, default 9200)
	@$(PYTHON) tests/opensearch-node/node.py up

opensearch-down: ## Stop the local OpenSearch node (its data stays in build/opensearch/node)
	@$(PYTHON) tests/opensearch-node/node.py down

clean: ## Remove the index, the virtualenv and caches
	@if [ -f build/opensearch/node/node.pid ]; then $(PYTHON) tests/opensearch-node/node.py down; fi
	rm -rf index $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
