# beatgrid: the two commands of the README.
#   make demo   set up, generate the demo district, run the main job, serve the maps
#   make test   set up and run the whole suite (ruff, mypy, pytest)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR := data/demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install fonts lint typecheck pytest clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m maps.vendor
	touch $(STAMP)

# printed maps and briefings need a Chinese font; as root, install Debian's if none is there
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1; } || echo "note: no Chinese font; briefings need one (apt-get install fonts-wqy-microhei)"

demo: install fonts
	$(BIN)/beatgrid demo run --out $(DEMO_DIR) --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check gis api maps beatgrid data tests benchmarks

typecheck: install
	$(BIN)/mypy

pytest: install
	bash .ci/postgis.sh --env > .postgis.env || true
	set -a; source .postgis.env; set +a; \
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache .postgis.env
