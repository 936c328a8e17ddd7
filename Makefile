# Two commands for a brand-new machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench lint clean chromium

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The browser tests drive the system's Chromium through Playwright, which never downloads a browser of its own.
# Installed when missing if we are root on a Debian machine; anywhere else those tests are skipped, saying why.
chromium:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || { \
		echo "installing Debian's chromium for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq chromium >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; } || \
		echo "could not install chromium: the browser tests will be skipped"; }

run: $(BIN)/.installed
	$(BIN)/ledgerport demo

test: $(BIN)/.installed chromium
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/list_api.py

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var
