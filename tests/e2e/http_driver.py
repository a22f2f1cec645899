"""Drive one case of the real processes over HTTP only, against a real `qingwei serve --demo`.

The HTTP counterpart of tests/process/driver.py: every step is an HTTP call of API.md (sign in,
open the case, read each task's form and complete it with `case_version`, move the fake clock and
fire due timers), and after every step the driver re-reads the case with GET /cases/{id} and
checks that what the step returned is what was stored.

The server's own timer worker runs on a loop against the same fake clock, so a timer may fire
either through POST /admin/timers/run or in the worker; `go` therefore fires what is due, then
re-reads the case until no timer due by the new time is still waiting on it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator

SHANGHAI = timezone(timedelta(hours=8))
PASSWORD = "demo"
# The user who acts on a task of each BPMN lane (the lane name is the role, API.md).
LANE_USERS = {
    "officer": "officer1",
    "legal_review": "reviewer1",
    "head": "head1",
    "government": "gov1",
    "utility": "utility1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def at(text: str) -> datetime:
    """A Shanghai wall-clock instant: at("2026-02-10 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def midnight(day: str) -> datetime:
    """00:00 Shanghai of `day`, i.e. 24:00 of the day before: how every deadline ends."""
    return at(f"{day} 00:00")


def instant(text: str) -> datetime:
    """An ISO-8601 instant from the API (JSON); naive ones are refused, not guessed."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"instant without an offset: {text}"
    return value


@contextmanager
def running_server(
    workdir: Path,
    port: int,
    *,
    processes: Path,
    forms: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, Path]]:
    """`qingwei serve --demo` on 127.0.0.1:`port`, a fresh SQLite file in `workdir`, the fake
    clock on; yields (base URL, log path) once /openapi.json answers, stops it afterwards."""
    db_path = workdir / "qingwei.db"
    log_path = workdir / "server.log"
    env = {
        **os.environ,
        "QINGWEI_DATABASE_URL": f"sqlite:///{db_path}",
        "QINGWEI_FAKE_CLOCK": "1",
        "QINGWEI_DEMO_CAMPAIGN": "false",
        "QINGWEI_PROCESSES_DIR": str(processes),
        "QINGWEI_FORMS_DIR": str(forms),
        **(extra_env or {}),
    }
    env.pop("QINGWEI_SECRET_KEY", None)
    script = Path(sys.executable).with_name("qingwei")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "engine.cli"]
    command += ["serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class Refused(AssertionError):
    """An HTTP call answered with an unexpected status (its problem details attached)."""

    def __init__(self, method: str, path: str, response: httpx.Response) -> None:
        super().__init__(f"{method} {path} → {response.status_code}: {response.text}")
        self.response = response


@dataclass
class Api:
    """A bearer-token client for /api/v1 that counts every HTTP call it makes."""

    base: str
    client: httpx.Client = field(init=False)
    calls: int = 0
    _tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.base + "/api/v1", timeout=30)

    def close(self) -> None:
        self.client.close()

    def sign_in(self, user: str) -> dict[str, Any]:
        """POST /auth/token (OAuth2 password form)."""
        self.calls += 1
        r = self.client.post("/auth/token", data={"username": user, "password": PASSWORD})
        if r.status_code != 200:
            raise Refused("POST", "/auth/token", r)
        body: dict[str, Any] = r.json()
        assert body["token_type"] == "bearer"
        self._tokens[user] = body["access_token"]
        return body

    def send(self, method: str, path: str, user: str, **kwargs: Any) -> httpx.Response:
        if user not in self._tokens:
            self.sign_in(user)
        self.calls += 1
        headers = {"Authorization": f"Bearer {self._tokens[user]}"}
        return self.client.request(method, path, headers=headers, **kwargs)

    def call(self, method: str, path: str, user: str, expect: int = 200, **kwargs: Any) -> Any:
        r = self.send(method, path, user, **kwargs)
        if r.status_code != expect:
            raise Refused(method, path, r)
        return r.json()


@dataclass
class HttpDriver:
    """One case of the `enforcement` process, driven step by step over HTTP."""

    api: Api
    case: dict[str, Any] | None = None
    stages: list[str] = field(default_factory=list)
    now: datetime | None = None

    # ---- steps ------------------------------------------------------------------------------
    def open(self, data: dict[str, Any], user: str = "officer1") -> dict[str, Any]:
        body = {"process_key": "enforcement", "data": data}
        case = self.api.call("POST", "/cases", user, expect=201, json=body)
        return self._stepped(case)

    def task(self, element_id: str) -> dict[str, Any]:
        """The one ready task of `element_id`."""
        matches = [t for t in self.now_case["tasks"] if t["element_id"] == element_id]
        assert len(matches) == 1, f"{element_id} is not (uniquely) ready; ready: {self.ready()}"
        task: dict[str, Any] = matches[0]
        return task

    def form(self, element_id: str, user: str | None = None) -> dict[str, Any]:
        task = self.task(element_id)
        who = user or LANE_USERS[task["lane"] or "officer"]
        path = f"/cases/{self.case_id}/tasks/{task['id']}/form"
        form: dict[str, Any] = self.api.call("GET", path, who)
        return form

    def attempt(
        self, element_id: str, data: dict[str, Any], user: str | None = None
    ) -> httpx.Response:
        """GET the task's form, check `data` against its JSON Schema, POST .../complete."""
        task = self.task(element_id)
        who = user or LANE_USERS[task["lane"] or "officer"]
        form = self.form(element_id, who)
        errors = sorted(e.message for e in Draft202012Validator(form["schema"]).iter_errors(data))
        assert not errors, f"{element_id}: the form's schema refuses the data: {errors}"
        path = f"/cases/{self.case_id}/tasks/{task['id']}/complete"
        body = {"data": data, "case_version": self.now_case["case_version"]}
        return self.api.send("POST", path, who, json=body)

    def do(self, element_id: str, data: dict[str, Any], user: str | None = None) -> dict[str, Any]:
        """Complete the one ready task of `element_id` as its lane's user."""
        r = self.attempt(element_id, data, user)
        if r.status_code != 200:
            raise Refused("POST", f"complete {element_id}", r)
        return self._stepped(r.json())

    def message(self, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        case = self.now_case
        assert name in case["waiting_messages"], f"not waiting for {name}"
        body = {"name": name, "data": data or {}, "case_version": case["case_version"]}
        moved = self.api.call("POST", f"/cases/{self.case_id}/messages", "officer1", json=body)
        return self._stepped(moved)

    def set_clock(self, when: datetime) -> None:
        answer = self.api.call("POST", "/admin/clock", "admin", json={"now": when.isoformat()})
        assert instant(answer["now"]) == when
        self.now = when

    def go(self, when: datetime) -> dict[str, Any]:
        """Move the fake clock to `when` and fire every timer due by then.

        The server's worker thread may fire some of them first (or be firing one right now, in
        which case timers/run skips it): keep firing and re-reading until the case waits on no
        timer that is due."""
        assert self.now is None or when >= self.now, "time only moves forward here"
        self.set_clock(when)
        deadline = time.monotonic() + 20
        while True:
            while self.api.call("POST", "/admin/timers/run", "admin")["fired"]:
                pass
            case = self.read()
            due = [t["element_id"] for t in case["timers"] if instant(t["due_at"]) <= when]
            if not due:
                return self._stepped(case, reread=False)
            assert time.monotonic() < deadline, f"timers {due} due at {when} never fired"
            time.sleep(0.1)

    def wait_until(self, element_id: str) -> dict[str, Any]:
        """Move the clock to the due instant of timer `element_id` and fire what is due."""
        return self.go(self.due(element_id))

    # ---- inspection -------------------------------------------------------------------------
    @property
    def case_id(self) -> int:
        return int(self.now_case["id"])

    @property
    def now_case(self) -> dict[str, Any]:
        assert self.case is not None, "no case opened"
        return self.case

    def read(self, user: str = "officer1") -> dict[str, Any]:
        case: dict[str, Any] = self.api.call("GET", f"/cases/{self.case_id}", user)
        return case

    def ready(self) -> list[str]:
        return sorted(t["element_id"] for t in self.now_case["tasks"])

    def timers(self) -> dict[str, tuple[datetime, str | None, str | None]]:
        """Every timer the case waits on: element id → (due_at, period, basis)."""
        found: dict[str, tuple[datetime, str | None, str | None]] = {}
        for t in self.now_case["timers"]:
            assert t["element_id"] not in found, f"timer {t['element_id']} waits twice"
            found[t["element_id"]] = (instant(t["due_at"]), t["period"], t["basis"])
        return found

    def due(self, element_id: str) -> datetime:
        timers = self.timers()
        assert element_id in timers, f"timer {element_id} not waiting: {sorted(timers)}"
        return timers[element_id][0]

    def data(self) -> dict[str, Any]:
        return dict(self.now_case["data"])

    def stage_path(self) -> list[str]:
        """The stages the case went through, consecutive repeats collapsed."""
        path: list[str] = []
        for s in self.stages:
            if not path or path[-1] != s:
                path.append(s)
        return path

    # ---- the round trip -----------------------------------------------------------------------
    def _stepped(self, case: dict[str, Any], *, reread: bool = True) -> dict[str, Any]:
        """Keep what a step returned, after checking that GET /cases/{id} stores the same."""
        self.case = case
        if reread:
            stored = self.read()
            for key in ("status", "stage", "case_version", "data", "waiting_messages"):
                assert stored[key] == case[key], f"{key} differs after GET: {stored[key]}"
            assert _tasks(stored) == _tasks(case), "ready tasks differ after GET"
            assert _timers(stored) == _timers(case), "timers differ after GET"
        self.stages.append(case["stage"])
        return case


def _tasks(case: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((t["id"], t["element_id"], t["lane"], t["form_key"]) for t in case["tasks"])


def _timers(case: dict[str, Any]) -> list[tuple[str, datetime, str | None, str | None]]:
    return sorted(
        (t["element_id"], instant(t["due_at"]), t["period"], t["basis"]) for t in case["timers"]
    )
