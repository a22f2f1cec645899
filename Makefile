# Every target creates .venv if it is missing and installs the project into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint test-unit test-integration test-process test-api test-e2e web browsers bench clean

# The web pages' JavaScript dependencies (bpmn-js, …) come from the npm registry at build time and
# are copied into api/web/static/vendor; nothing is fetched from a CDN at run time.
WEB_STAMP := api/web/static/vendor/VERSIONS.json

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json web/build.mjs
	cd web && npm ci && npm run build

web: $(WEB_STAMP)

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser),
# and a CJK font so that the screenshots show Chinese.
browsers:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	fc-list :lang=zh | grep -q . || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei)

run: install web
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

test-process: install
	$(VENV)/bin/pytest tests/process -q

test-api: install
	$(VENV)/bin/pytest tests/api -q

test-e2e: install web browsers
	$(VENV)/bin/pytest tests/e2e -q

test: lint web browsers
	$(VENV)/bin/pytest -q

bench: install
	$(PY) bench/bench_complete_task.py
	$(PY) bench/bench_http_load.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
