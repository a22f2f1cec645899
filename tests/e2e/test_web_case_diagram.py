"""The case diagram of the real procedure: the main process shows the phase being worked on; a
click opens it in place (breadcrumb back), down to the step itself, highlighted at every level,
with its running timer; lanes show the Chinese role names. Screenshots at 1280 and 375 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, Shots
from tests.e2e.http_driver import Api, HttpDriver, free_port, running_server
from tests.e2e.test_http_enforcement import Steps
from tests.process import paths as P
from tests.process.driver import Driver

ROOT = Path(__file__).resolve().parents[2]
START = "2026-02-10T09:00:00+08:00"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A server on the real processes with one case waiting for the decision's service."""
    workdir = tmp_path_factory.mktemp("case-diagram")
    with running_server(
        workdir, free_port(), processes=ROOT / "processes", forms=ROOT / "forms"
    ) as (base, _log):
        api = Api(base)
        try:
            drv = HttpDriver(api)
            drv.set_clock(datetime.fromisoformat(START))
            steps = cast(Driver, Steps(drv))
            P.to_decision(steps)
            P.decide(steps, "demolition_decision", on="2026-02-10", days=10)
            assert drv.ready() == ["serve_document"]
            yield base, drv.case_id
        finally:
            api.close()


@pytest.fixture
def diagram_page(browser: Any, served: tuple[str, int]) -> Iterator[Any]:
    base, _ = served
    context = browser.new_context(
        base_url=base, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def test_drill_down_to_the_active_step_and_back(
    diagram_page: Any, served: tuple[str, int], request: pytest.FixtureRequest
) -> None:
    page = diagram_page
    _, case_id = served
    shots = Shots(page, request.node.name)
    page.goto("/")
    page.fill("#username", "officer1")
    page.fill("#password", PASSWORD)
    page.click("form.login-card button[type=submit]")
    page.wait_for_selector("#logout")
    page.goto(f"/#/cases/{case_id}")

    canvas = page.locator("#case-diagram .bpmn-canvas")
    crumbs = page.locator("#case-diagram .diagram-crumbs")
    # Top level: the main process; the phase holding the active step is itself marked active.
    expect(canvas).to_have_attribute("data-process", re.compile("违法建设查处"))
    expect(canvas).to_have_attribute("data-active", re.compile(r"\bdecision_service_stage\b"))
    expect(canvas).to_have_attribute("data-completed", re.compile(r"\bhandling\b"))
    active_box = page.locator(".djs-element.qw-active[data-element-id='decision_service_stage']")
    expect(active_box).to_have_count(1)
    # Lanes read as roles, in Chinese.
    expect(
        page.locator(".djs-element[data-element-id^='Lane_enforcement_officer']")
    ).to_contain_text("执法人员")
    shots("main-1280")

    # One click on the active phase opens it in place; the breadcrumb shows the way back.
    active_box.click()
    expect(canvas).to_have_attribute("data-process", re.compile("送达处罚决定"))
    expect(crumbs).to_contain_text("违法建设查处")
    expect(crumbs).to_contain_text("送达处罚决定")
    expect(canvas).to_have_attribute("data-active", re.compile(r"\bserve_decision\b"))
    # "当前环节" follows the active call activities down to the step being worked on.
    page.locator("#case-diagram [data-action='to-active']").click()
    expect(canvas).to_have_attribute("data-process", re.compile("送达 Service"))
    expect(canvas).to_have_attribute("data-active", re.compile(r"\bserve_document\b"))
    # Its running deadline (service within 7 WD) is marked too.
    expect(canvas).to_have_attribute("data-waiting", re.compile(r"\bservice_deadline\b"))
    expect(page.locator(".djs-element.qw-active[data-element-id='serve_document']")).to_have_count(
        1
    )
    expect(crumbs.locator(".crumb")).to_have_count(3)
    shots("service-1280")

    # Back to the top through the breadcrumb.
    crumbs.locator("button.crumb").first.click()
    expect(canvas).to_have_attribute("data-process", re.compile("违法建设查处"))
    expect(crumbs.locator(".crumb")).to_have_count(1)

    # On a phone the same way down works.
    page.set_viewport_size({"width": 375, "height": 800})
    page.locator("#case-diagram [data-action='to-active']").click()
    expect(canvas).to_have_attribute("data-active", re.compile(r"\bserve_document\b"))
    page.locator("#case-diagram").scroll_into_view_if_needed()
    shots("service-375")
