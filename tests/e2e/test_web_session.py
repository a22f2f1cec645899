"""Short-lived access tokens in the pages: a refused token is renewed with the refresh token
(the officer keeps working), and 退出 ends the sign-in on the server too (issue 14)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import Server, sign_in

KEY = "qingwei.session"


def stored(page: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(page.evaluate(f"sessionStorage.getItem('{KEY}')"))
    return value


def test_pages_refresh_the_access_token_and_logout_ends_the_session(
    page: Any, server: Server
) -> None:
    case = server.open_case(area_m2=12.0)
    sign_in(page, "officer1")
    row = page.locator(f"table.worklist tr[data-case-id='{case['id']}']")
    expect(row).to_contain_text(case["case_no"])
    first = stored(page)
    assert first["refresh"]

    # The access token is no longer accepted (as after its 15 minutes): the page renews it.
    page.evaluate(
        f"""() => {{
            const s = JSON.parse(sessionStorage.getItem('{KEY}'));
            s.token = 'expired.' + s.token.slice(8);
            sessionStorage.setItem('{KEY}', JSON.stringify(s));
        }}"""
    )
    page.reload()
    expect(row).to_contain_text(case["case_no"])
    expect(page.locator("#logout")).to_be_visible()
    renewed = stored(page)
    assert renewed["token"] != first["token"] and renewed["refresh"] != first["refresh"]

    page.click("#logout")
    expect(page.locator("#username")).to_be_visible()
    for token in (first["refresh"], renewed["refresh"]):
        r = httpx.post(f"{server.api}/auth/refresh", json={"refresh_token": token})
        assert r.status_code == 401, r.text
    r = httpx.get(f"{server.api}/tasks", headers={"Authorization": f"Bearer {renewed['token']}"})
    assert r.status_code == 401
