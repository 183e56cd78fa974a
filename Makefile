# Two commands do everything on a fresh machine:
#   make run   set up .venv, build the index of the article if missing, serve the chat UI
#   make test  set up .venv with the test extras and Chromium, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 7860
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test setup setup-test chromium bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# llama-cpp-python (test extra) is built from source: portable x86-64 code, not this CPU's; pip caches the wheel.
$(VENV)/.installed-test: export CMAKE_ARGS := -DGGML_NATIVE=OFF
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[st,test]"
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test chromium

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(BIN)/qa ui --host $(HOST) --port $(PORT)

test: setup-test
	$(BIN)/pytest -q

eval: setup-test
	$(BIN)/qa eval --compare

bench: setup-test
	$(BIN)/qa bench

clean:
	rm -rf .qa_index tests/artifacts .pytest_cache
