# Every target creates .venv if it is missing and installs the project into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint test-unit test-integration bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/qingwei db upgrade
	$(VENV)/bin/qingwei serve --demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -c "from engine.store.migrate import check; import tempfile, os; \
	d = tempfile.mkdtemp(); u = 'sqlite:///' + os.path.join(d, 'check.db'); \
	from engine.store.migrate import upgrade; upgrade(u); check(u)"

test-unit: install
	$(VENV)/bin/pytest tests/unit -q

test-integration: install
	$(VENV)/bin/pytest tests/integration -q

test: lint
	$(VENV)/bin/pytest -q

bench: install
	$(PY) bench/bench_complete_task.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
