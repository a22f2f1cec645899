"""Revocable sign-in (issue 14, item 4), driven through HTTP the way the attack did.

The attack: a deleted head's token still approved a filing (roles read from the token for eight
hours); 300 wrong passwords in 86 s met no 429. Here every request re-reads the user (cached a
few seconds per process), logout, disable, role and password changes revoke tokens, access
tokens are short-lived with a rotating refresh token, and failed sign-ins lock the username and
the address out (429 problem+json with Retry-After), each lockout in the system trail.

Wall-clock time (token expiry, the user cache, throttling windows) is a FixedClock put on the
app (`app.state.auth_clock`), so nothing sleeps.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.deps import WALL_CLOCK
from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.demo_seed import DEMO_PASSWORD
from tests.api.conftest import API, Driver, assert_problem, login
from tests.integration.test_cli import qingwei

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def wall(client: TestClient) -> FixedClock:
    """The API's wall clock, fixed at the real time now and moved by hand."""
    clock = FixedClock(WALL_CLOCK.now())
    client.app.state.auth_clock = clock  # type: ignore[attr-defined]
    return clock


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


def system_actions(engine_app: App) -> list[tuple[str, str | None, dict[str, Any]]]:
    trail = services.system_trail(engine_app.ctx.uow(read_only=True))
    return [(e.action, e.element_id, e.data) for e in trail]


def approve(client: TestClient, case: dict[str, Any], head: dict[str, str]) -> Any:
    task = case["tasks"][0]
    return client.post(
        f"{API}/cases/{case['id']}/tasks/{task['id']}/complete",
        json={"data": {"compliance_days": 10}, "case_version": case["case_version"]},
        headers=head,
    )


def test_token_keeps_its_contract_and_adds_a_refresh_token(
    client: TestClient, wall: FixedClock
) -> None:
    r = sign_in(client, "head1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["roles"] == ["head"]
    assert isinstance(body["access_token"], str) and body["access_token"]
    settings = client.app.state.qingwei.settings.security  # type: ignore[attr-defined]
    assert body["expires_in"] == settings.token_minutes * 60 <= 30 * 60  # short-lived
    assert body["refresh_expires_in"] == settings.session_minutes * 60
    assert client.get(f"{API}/tasks", headers=bearer(body)).status_code == 200
    # After the access token's life it is refused; the refresh token gives a new pair.
    wall.advance(timedelta(minutes=settings.token_minutes, seconds=1))
    assert_problem(client.get(f"{API}/tasks", headers=bearer(body)), 401)
    r = client.post(f"{API}/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert fresh["refresh_token"] != body["refresh_token"]
    r = client.get(f"{API}/tasks", headers=bearer(fresh))
    assert r.status_code == 200, r.text


def test_a_copied_refresh_token_used_after_rotation_ends_the_session(
    client: TestClient, wall: FixedClock
) -> None:
    first = sign_in(client, "officer1").json()
    second = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    # The thief replays the old refresh token: refused, and the whole session ends.
    stolen = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(stolen, 401)
    wall.advance(timedelta(seconds=10))  # past the user cache
    assert_problem(client.get(f"{API}/tasks", headers=bearer(second.json())), 401)
    again = client.post(
        f"{API}/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert_problem(again, 401)
    for junk in ("x", "a" * 32 + ".", "0" * 32 + ".guess"):
        assert_problem(client.post(f"{API}/auth/refresh", json={"refresh_token": junk}), 401)


def test_logout_revokes_the_access_and_the_refresh_token(
    client: TestClient, wall: FixedClock
) -> None:
    body = sign_in(client, "officer1").json()
    other = sign_in(client, "officer1").json()  # another browser of the same user
    r = client.post(f"{API}/auth/logout", headers=bearer(body))
    assert r.status_code == 204, r.text
    assert_problem(client.get(f"{API}/tasks", headers=bearer(body)), 401)
    refreshed = client.post(f"{API}/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert_problem(refreshed, 401)
    # Only that session ended.
    assert client.get(f"{API}/tasks", headers=bearer(other)).status_code == 200


def test_a_disabled_head_cannot_approve_a_filing(
    client: TestClient, drive: Driver, headers: Headers, engine_app: App, wall: FixedClock
) -> None:
    """The attack: the head's account is disabled while their token is still valid; the token
    approves nothing, and the case is untouched. Re-enabling does not revive old tokens."""
    case = drive.investigate(drive.open())
    head = bearer(sign_in(client, "head1").json())
    r = client.patch(f"{API}/users/head1", json={"active": False}, headers=headers("admin"))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "username": "head1",
        "full_name": r.json()["full_name"],
        "roles": ["head"],
        "active": False,
    }
    assert_problem(approve(client, case, head), 401)
    after = client.get(f"{API}/cases/{case['id']}", headers=headers("officer")).json()
    assert (after["case_version"], after["tasks"]) == (case["case_version"], case["tasks"])
    assert_problem(sign_in(client, "head1"), 401)
    client.patch(f"{API}/users/head1", json={"active": True}, headers=headers("admin"))
    assert_problem(approve(client, case, head), 401)
    assert approve(client, case, bearer(sign_in(client, "head1").json())).status_code == 200
    actions = [(a, el) for a, el, _ in system_actions(engine_app)]
    assert ("user_disabled", "head1") in actions and ("user_enabled", "head1") in actions


def test_disabled_or_deleted_elsewhere_takes_effect_within_the_cache(
    client: TestClient, drive: Driver, engine_app: App, wall: FixedClock
) -> None:
    """A change made by another process (the CLI, another API worker) is seen once this
    process's cached look at the user is older than `user_cache_seconds`."""
    case = drive.investigate(drive.open())
    head = bearer(sign_in(client, "head1").json())
    officer = bearer(sign_in(client, "officer2").json())
    assert client.get(f"{API}/tasks", headers=head).status_code == 200  # cached: active
    assert client.get(f"{API}/tasks", headers=officer).status_code == 200
    services.update_user(
        engine_app.ctx, username="head1", by=services.SYSTEM, now=wall.now(), active=False
    )
    eng = create_engine(engine_app.settings.database.url)
    with eng.begin() as c:  # "deleted": the row is gone
        c.execute(text("DELETE FROM users WHERE username = 'officer2'"))
    eng.dispose()
    seconds = engine_app.settings.security.user_cache_seconds
    assert seconds <= 10
    wall.advance(timedelta(seconds=seconds + 0.1))
    assert_problem(approve(client, case, head), 401)
    assert_problem(client.get(f"{API}/tasks", headers=officer), 401)


def test_role_change_and_password_change_revoke_tokens(
    client: TestClient, headers: Headers, engine_app: App, wall: FixedClock
) -> None:
    old = sign_in(client, "gov1").json()
    admin = headers("admin")
    r = client.patch(f"{API}/users/gov1", json={"roles": ["auditor"]}, headers=admin)
    assert r.status_code == 200 and r.json()["roles"] == ["auditor"]
    assert_problem(client.get(f"{API}/tasks", headers=bearer(old)), 401)
    assert_problem(
        client.post(f"{API}/auth/refresh", json={"refresh_token": old["refresh_token"]}), 401
    )
    new = sign_in(client, "gov1").json()
    assert new["roles"] == ["auditor"]
    r = client.patch(f"{API}/users/gov1", json={"password": "s3cret-new"}, headers=admin)
    assert r.status_code == 200
    assert_problem(client.get(f"{API}/tasks", headers=bearer(new)), 401)
    assert_problem(sign_in(client, "gov1"), 401)
    assert sign_in(client, "gov1", "s3cret-new").status_code == 200
    events = {a: d for a, el, d in system_actions(engine_app) if el == "gov1"}
    assert events["user_roles_changed"]["before"] == ["government"]
    assert events["user_roles_changed"]["after"] == ["auditor"]
    assert "user_password_changed" in events
    assert "s3cret" not in str(events)
    # Bad changes: 422 naming the field, 404 for nobody.
    assert_problem(client.patch(f"{API}/users/gov1", json={"roles": ["king"]}, headers=admin), 422)
    assert_problem(client.patch(f"{API}/users/nobody", json={"active": False}, headers=admin), 404)


def test_wrong_passwords_lock_the_user_out_with_429_and_an_audit(
    client: TestClient, engine_app: App, wall: FixedClock
) -> None:
    sec = engine_app.settings.security
    for _ in range(sec.max_user_failures - 1):
        assert_problem(sign_in(client, "officer1", "wrong"), 401)
    r = sign_in(client, "officer1", "wrong")
    body = assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) == sec.lockout_seconds
    assert "登录失败次数过多" in body["detail"]
    # Locked: even the right password is refused, without checking it.
    r = sign_in(client, "officer1")
    assert_problem(r, 429)
    assert 0 < int(r.headers["Retry-After"]) <= sec.lockout_seconds
    # Another user from the same address is not locked by this user's failures.
    assert sign_in(client, "officer2").status_code == 200
    locks = [d for a, el, d in system_actions(engine_app) if a == "login_locked"]
    assert [(d["key"], d["username"], d["failures"]) for d in locks] == [
        ("user", "officer1", sec.max_user_failures)
    ]
    wall.advance(timedelta(seconds=sec.lockout_seconds))
    assert sign_in(client, "officer1").status_code == 200


def test_one_address_trying_many_names_is_locked_out(
    client: TestClient, engine_app: App, wall: FixedClock
) -> None:
    """Password spraying: one wrong password per name never locks a name, but the address."""
    sec = engine_app.settings.security
    for i in range(sec.max_address_failures - 1):
        assert_problem(sign_in(client, f"guess{i}", "wrong"), 401)
    assert_problem(sign_in(client, "guess-last", "wrong"), 429)
    r = sign_in(client, "auditor1")  # a real user from the locked address
    assert_problem(r, 429)
    actions = system_actions(engine_app)
    bursts = [d for a, _, d in actions if a == "login_failures"]
    assert bursts and all(d["key"] == "address" for d in bursts)
    assert [d["failures"] for d in bursts] == list(
        range(sec.max_user_failures, sec.max_address_failures, sec.max_user_failures)
    )
    assert [d["key"] for a, _, d in actions if a == "login_locked"] == ["address"]
    assert services.verify_system(engine_app.ctx.uow(read_only=True), ctx=engine_app.ctx).valid
    # The window passes: failures long ago do not count.
    wall.advance(timedelta(seconds=sec.lockout_seconds))
    assert sign_in(client, "auditor1").status_code == 200


def test_cli_disables_and_enables_a_user(
    client: TestClient, engine_app: App, wall: FixedClock
) -> None:
    token = bearer(sign_in(client, "head1").json())
    url = engine_app.settings.database.url
    done = qingwei(url, "users", "disable", "head1")
    assert done.returncode == 0, done.stderr
    assert "disabled" in done.stdout
    wall.advance(timedelta(seconds=engine_app.settings.security.user_cache_seconds + 1))
    assert_problem(client.get(f"{API}/tasks", headers=token), 401)
    assert_problem(sign_in(client, "head1"), 401)
    assert qingwei(url, "users", "enable", "head1").returncode == 0
    assert sign_in(client, "head1").status_code == 200
    missing = qingwei(url, "users", "disable", "nobody")
    assert missing.returncode == 1 and "nobody" in missing.stderr
    assert isinstance(done, subprocess.CompletedProcess)
    assert login(client, "head1")


def test_concurrent_sign_ins_hash_at_most_login_concurrency_at_once(
    client: TestClient, engine_app: App, wall: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many sign-ins at once (the attack sent 160; bench/bench_login_storm.py measures those
    against a real server): argon2 (64 MiB each in production) runs at most
    `login_concurrency` times at once; the rest wait, and all are answered."""
    import threading
    import time

    import engine.services.signin as signin

    limit = engine_app.settings.security.login_concurrency
    running = 0
    peak = 0
    lock = threading.Lock()
    real = signin.verify_password

    def counted(stored: str | None, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.01)  # long enough for the others to pile up
            return real(stored, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(signin, "verify_password", counted)
    engine_app.settings.security.max_address_failures = 1000
    codes: list[int] = []
    barrier = threading.Barrier(40)

    def one(i: int) -> None:
        barrier.wait()
        password = DEMO_PASSWORD if i % 2 else "wrong"
        codes.append(
            sign_in(client, f"officer{1 + i % 2}" if i % 2 else f"x{i}", password).status_code
        )

    threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(codes)) == [200, 401] and codes.count(200) == 20
    assert 1 < peak <= limit, peak
