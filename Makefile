# Every target creates .venv if it is missing and installs the project into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint test-unit test-integration test-process test-api test-e2e web browsers system-deps bench clean

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

# What issuing 文书 needs from Debian: WeasyPrint's Pango/HarfBuzz stack, CJK fonts (WenQuanYi
# Micro Hei, the face documents/document.css names first; Noto CJK as fallback) and poppler's
# pdftotext/pdftoppm, which the tests use to read the PDFs back.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei fonts-noto-cjk poppler-utils

system-deps:
	dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(SYSTEM_PACKAGES))

run: install web system-deps
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

test-unit: install system-deps
	$(VENV)/bin/pytest tests/unit -q

test-integration: install system-deps
	$(VENV)/bin/pytest tests/integration -q

test-process: install system-deps
	$(VENV)/bin/pytest tests/process -q

test-api: install system-deps
	$(VENV)/bin/pytest tests/api -q

test-e2e: install web browsers system-deps
	$(VENV)/bin/pytest tests/e2e -q

test: lint web browsers system-deps
	$(VENV)/bin/pytest -q

bench: install system-deps
	$(PY) bench/bench_complete_task.py
	$(PY) bench/bench_http_load.py
	$(PY) bench/bench_render_document.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
