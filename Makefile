# Two commands: `make run` (set up and serve on http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: one per logical core (TEST_WORKERS=0 runs in this process).
TEST_WORKERS ?= logical
PROJECT_PACKAGES := taperapp schedules accounts audit followup tests load manage.py

.PHONY: run test install install-test migrate bench load load-cluster lint format check clean weasyprint-libs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	touch $@

# The test tools and the app's own dependencies in one pass (one resolution, one install).
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet '.[test]'
	touch $@ $(VENV)/.installed

# WeasyPrint (the printed plans) needs Pango from Debian; say exactly what to install if it is missing.
WEASYPRINT_DEBS := libpango-1.0-0 libpangoft2-1.0-0

weasyprint-libs:
	@command -v dpkg-query >/dev/null || exit 0; missing=""; \
	for deb in $(WEASYPRINT_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$deb 2>/dev/null | grep -q "ok installed" || missing="$$missing $$deb"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "The printed plans (WeasyPrint) need:$$missing. Install them with:"; \
	  echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference

# The task worker (the printed documents) runs beside the web server and stops with it.
run: weasyprint-libs migrate
	$(BIN)/python manage.py seed_demo --url http://$(HOST):$(PORT)
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The project's own modules are compiled to bytecode once, before the suite starts its workers and
# the processes some tests run: where PYTHONDONTWRITEBYTECODE is set, each would compile them again.
test: weasyprint-libs install-test
	$(BIN)/python -m compileall -q -j 0 $(PROJECT_PACKAGES)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: install-test
	$(BIN)/python -m pytest tests/benchmarks --benchmark-enable -p no:randomly -n 0

# 20 users for 60 s against gunicorn on 127.0.0.1 with PostgreSQL (DATABASE_URL), then it stops.
load: install-test
	./load/run.sh

# Two app servers and one task worker on one PostgreSQL server started here; 20 users over both.
load-cluster: install-test
	./load/cluster.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install-test
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
