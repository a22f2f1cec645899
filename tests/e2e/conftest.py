"""Browser tests: a real `qingwei serve --demo` process and Debian's chromium driven by Playwright.

The server runs on a free port with a fresh SQLite file and the fixture processes and forms
(tests/fixtures), its fake clock set to a fixed working day. Chromium is /usr/bin/chromium (the
Makefile's `browsers` target installs it); Playwright never downloads a browser. Every page a test
visits is saved as a PNG in test-artifacts/screenshots/.

Without chromium or the built vendor files (`make web`) these tests are skipped, except under CI,
where they fail.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.http_driver import running_server

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VENDOR = ROOT / "api" / "web" / "static" / "vendor" / "bpmn-js"
CHROMIUM = Path(os.environ.get("QINGWEI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Tuesday 10 February 2026, 09:00 in Shanghai: a working day, in a year the calendar knows.
START = "2026-02-10T09:00:00+08:00"
PASSWORD = "demo"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(what, pytrace=False)
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """The running server, with an API client for setting up cases the way a script would."""

    base: str
    db_path: Path
    log_path: Path
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return self.base + "/api/v1"

    def token(self, user: str) -> str:
        if user not in self._tokens:
            r = httpx.post(f"{self.api}/auth/token", data={"username": user, "password": PASSWORD})
            r.raise_for_status()
            self._tokens[user] = r.json()["access_token"]
        return self._tokens[user]

    def call(self, method: str, path: str, user: str, **kwargs: Any) -> Any:
        r = httpx.request(
            method,
            self.api + path,
            headers={"Authorization": f"Bearer {self.token(user)}"},
            timeout=30,
            **kwargs,
        )
        if r.status_code >= 400:
            raise AssertionError(f"{method} {path} → {r.status_code}: {r.text}")
        return r.json() if "json" in r.headers.get("content-type", "") else r.text

    def add_user(self, name: str, *roles: str) -> None:
        """Create a user with `qingwei users add`, against the server's database."""
        script = Path(sys.executable).with_name("qingwei")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "engine.cli"]
        command += ["users", "add", name, *[a for r in roles for a in ("--role", r)]]
        subprocess.run(
            [*command, "--password-stdin"],
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
            env={**os.environ, "QINGWEI_DATABASE_URL": f"sqlite:///{self.db_path}"},
        )

    def open_case(self, process_key: str = "mini_case", **data: Any) -> dict[str, Any]:
        body = {"address": "朝阳区望京街道某小区3号楼顶", "district": "朝阳区", **data}
        case: dict[str, Any] = self.call(
            "POST", "/cases", "officer1", json={"process_key": process_key, "data": body}
        )
        return case

    def complete(self, case_id: int, user: str, data: dict[str, Any]) -> dict[str, Any]:
        case = self.call("GET", f"/cases/{case_id}", user)
        assert case["tasks"], f"case {case_id} has no ready task"
        task = case["tasks"][0]
        done: dict[str, Any] = self.call(
            "POST",
            f"/cases/{case_id}/tasks/{task['id']}/complete",
            user,
            json={"data": data, "case_version": case["case_version"]},
        )
        return done


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not VENDOR.is_dir():
        _missing("the web vendor files are not built: run `make web`")
    workdir = tmp_path_factory.mktemp("e2e-server")
    with running_server(
        workdir,
        _free_port(),
        processes=FIXTURES / "processes",
        forms=FIXTURES / "forms",
    ) as (base, log_path):
        srv = Server(base=base, db_path=workdir / "qingwei.db", log_path=log_path)
        srv.call("POST", "/admin/clock", "admin", json={"now": START})
        yield srv


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: run `make browsers` (Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        _missing("the playwright package is missing: pip install -e '.[dev]'")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        # launch() gives every run a fresh, temporary user-data-dir of its own.
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Shots:
    """Numbered screenshots for one test: test-artifacts/screenshots/<test>-<nn>-<name>.png."""

    def __init__(self, page: Any, test_name: str) -> None:
        self.page = page
        self.prefix = re.sub(r"[^\w-]+", "_", test_name)
        self.n = 0
        for old in SCREENSHOTS.glob(f"{self.prefix}-*.png"):
            old.unlink()

    def __call__(self, name: str) -> Path:
        self.n += 1
        path = SCREENSHOTS / f"{self.prefix}-{self.n:02d}-{name}.png"
        self.page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays on top
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(
        base_url=server.base,
        viewport={"width": 1400, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    errors: list[str] = []

    def only_our_server(route: Any) -> None:
        # Nothing may come from a CDN or anywhere else: these machines have no internet.
        url = route.request.url
        # (chrome:// and chrome-extension:// are the browser's own PDF viewer, never a network.)
        if url.startswith(server.base) or url.startswith(
            ("data:", "blob:", "chrome://", "chrome-extension://")
        ):
            route.continue_()
        else:
            errors.append(f"request outside the server: {url}")
            route.abort()

    context.route("**/*", only_our_server)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    yield pg
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def shots(page: Any, request: pytest.FixtureRequest) -> Shots:
    return Shots(page, request.node.name)


def sign_in(page: Any, user: str) -> None:
    page.goto("/")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("form.login-card button[type=submit]")
    page.wait_for_selector("#logout")
