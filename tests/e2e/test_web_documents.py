"""文书 in the browser: the case page lists the issued documents, previews one in the page,
downloads the stored PDF and prints without navigation or buttons; the public verification page
answers without sign-in. This server runs the real processes, forms and document templates."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, START, VENDOR, Server, Shots, _missing, sign_in
from tests.e2e.http_driver import free_port, running_server
from tests.process.paths import INTAKE


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`qingwei serve --demo` on the real processes/, forms/ and documents/ (overrides the
    conftest's fixture-process server for this module only)."""
    if not VENDOR.is_dir():
        _missing("the web vendor files are not built: run `make web`")
    workdir = tmp_path_factory.mktemp("e2e-documents")
    port = free_port()
    documents = {
        "QINGWEI_DOCUMENTS__TEMPLATES_DIR": str(ROOT / "documents"),
        "QINGWEI_DOCUMENTS__VERIFY_BASE_URL": f"http://127.0.0.1:{port}/#/verify",
    }
    with running_server(
        workdir, port, processes=ROOT / "processes", forms=ROOT / "forms", extra_env=documents
    ) as (base, log_path):
        srv = Server(base=base, db_path=workdir / "qingwei.db", log_path=log_path)
        srv.call("POST", "/admin/clock", "admin", json={"now": START})
        yield srv


def do(server: Server, case_id: int, element_id: str, user: str, data: dict[str, Any]) -> None:
    case = server.call("GET", f"/cases/{case_id}", user)
    task = next(t for t in case["tasks"] if t["element_id"] == element_id)
    server.call(
        "POST",
        f"/cases/{case_id}/tasks/{task['id']}/complete",
        user,
        json={"data": data, "case_version": case["case_version"]},
    )


def test_documents_preview_download_print_and_verify(
    page: Any, server: Server, shots: Shots, tmp_path: Path
) -> None:
    case = server.call(
        "POST", "/cases", "officer1", json={"process_key": "enforcement", "data": INTAKE}
    )
    do(
        server,
        case["id"],
        "lead_check",
        "officer1",
        {"check_result": "file", "check_summary": "属实"},
    )
    do(
        server,
        case["id"],
        "filing_approval",
        "head1",
        {"filing_approved": True, "case_cause": "未批先建"},
    )
    docs = server.call("GET", f"/cases/{case['id']}/documents", "officer1")
    assert [d["kind"] for d in docs] == ["立案审批表"]
    doc = docs[0]

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "officer1")
    page.goto(f"/#/cases/{case['id']}")
    row = page.locator(f"#doc-table tr[data-doc='{doc['id']}']")
    expect(row).to_contain_text(doc["number"])
    expect(row).to_contain_text(doc["sha256"][:12])
    row.locator("[data-action=preview]").click()
    frame = page.locator("#doc-preview iframe")
    expect(frame).to_be_visible()
    assert (frame.get_attribute("src") or "").startswith("blob:")
    shots("case-documents-1280")

    with page.expect_download() as info:
        row.locator("[data-action=download]").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == doc["sha256"]
    assert info.value.suggested_filename.endswith(".pdf")

    # Print: no navigation, no buttons, the documents still there.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(row.locator("[data-action=preview]")).to_be_hidden()
    expect(page.locator("#doc-table")).to_be_visible()
    shots("case-documents-print")
    printed = tmp_path / "case.pdf"
    page.pdf(path=str(printed), format="A4")
    text = subprocess.run(
        ["pdftotext", str(printed), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert doc["number"] in "".join(text.split())
    assert "退出" not in text  # the sign-out button is not printed
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/#/cases/{case['id']}")
    expect(page.locator("#doc-table")).to_contain_text(doc["number"])
    shots("case-documents-375")

    # The public verification page: no sign-in needed, by the printed code.
    page.evaluate("window.localStorage.clear(); window.sessionStorage.clear()")
    page.goto(f"/#/verify/{doc['verify_code']}")
    expect(page.locator("#verify-ok")).to_contain_text(doc["number"])
    expect(page.locator("#verify-ok")).to_contain_text(case["case_no"])
    shots("verify-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/#/verify/ABCDEF1234")
    expect(page.locator("#verify-bad")).to_be_visible()
    page.fill("#verify-key", doc["sha256"])
    page.locator(".verify-form button[type=submit]").click()
    expect(page.locator("#verify-ok")).to_contain_text("立案审批表")
    shots("verify-1280")
    assert httpx.get(f"{server.api}/verify/documents/{'0' * 64}").status_code == 404


def _printed_text(page: Any, tmp_path: Path, name: str) -> str:
    """The page printed to PDF as a browser prints it (print media), as text."""
    printed = tmp_path / f"{name}.pdf"
    page.pdf(path=str(printed), format="A4")
    out = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def test_every_page_prints_without_navigation_or_buttons(
    page: Any, server: Server, shots: Shots, tmp_path: Path
) -> None:
    """The worklist and the ledger print their content only, like the case page (print media):
    no top bar, navigation, buttons or filter controls."""
    server.call("POST", "/cases", "officer1", json={"process_key": "enforcement", "data": INTAKE})
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, "officer1")
        for route, content in (("#/tasks", "table.worklist"), ("#/ledger", "table")):
            page.emulate_media(media="screen")
            page.goto(f"/{route}")
            page.wait_for_selector(content)
            expect(page.locator("header.topbar")).to_be_visible()
            page.emulate_media(media="print")
            expect(page.locator("header.topbar")).to_be_hidden()
            visible_controls = page.evaluate(
                """() => [...document.querySelectorAll(
                    'button:not(.bar-row), .btn, select, input, textarea, nav')]
                  .filter((el) => el.offsetParent !== null || el.getClientRects().length)
                  .map((el) => el.outerHTML.slice(0, 80))"""
            )
            assert visible_controls == [], (route, visible_controls)
            if route == "#/ledger":  # its counts per stage print (they are buttons on screen)
                expect(page.locator("button.bar-row").first).to_be_visible()
            name = route.strip("#/")
            shots(f"{name}-print-{width}")
            text = _printed_text(page, tmp_path, f"{name}-{width}")
            # Neither the brand, the signed-in user nor the sign-out button of the top bar.
            assert "违法建设查处" not in text and "officer1" not in text and "退出" not in text
        page.emulate_media(media="screen")
        page.evaluate("window.localStorage.clear(); window.sessionStorage.clear()")


def test_the_head_withdraws_a_document_and_verification_says_so(
    page: Any, server: Server, shots: Shots
) -> None:
    case = server.call(
        "POST", "/cases", "officer1", json={"process_key": "enforcement", "data": INTAKE}
    )
    do(
        server,
        case["id"],
        "lead_check",
        "officer1",
        {"check_result": "file", "check_summary": "属实"},
    )
    do(
        server,
        case["id"],
        "filing_approval",
        "head1",
        {"filing_approved": True, "case_cause": "未批先建"},
    )
    (doc,) = server.call("GET", f"/cases/{case['id']}/documents", "officer1")

    # An officer has no withdraw button; the head has.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "officer1")
    page.goto(f"/#/cases/{case['id']}")
    row = page.locator(f"#doc-table tr[data-doc='{doc['id']}']")
    expect(row).to_contain_text(doc["number"])
    expect(row.locator("[data-action=withdraw]")).to_have_count(0)
    page.evaluate("window.localStorage.clear(); window.sessionStorage.clear()")

    sign_in(page, "head1")
    page.goto(f"/#/cases/{case['id']}")
    row.locator("[data-action=withdraw]").click()
    box = page.locator("#doc-withdraw")
    expect(box).to_be_visible()
    box.locator("[data-action=confirm-withdraw]").click()  # no reason: refused in the page
    expect(box.locator(".form-error")).to_contain_text("撤回理由")
    page.fill("#withdraw-reason", "案由填写有误 wrong cause")
    shots("withdraw-form-1280")
    box.locator("[data-action=confirm-withdraw]").click()
    row = page.locator(f"#doc-table tr[data-doc='{doc['id']}']")
    expect(row).to_have_class("withdrawn")
    expect(row).to_contain_text("已撤回")
    expect(row).to_contain_text("案由填写有误 wrong cause")
    expect(row.locator("[data-action=withdraw]")).to_have_count(0)
    expect(page.locator("ol.timeline")).to_contain_text("撤回文书")
    shots("withdrawn-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/#/cases/{case['id']}")
    expect(page.locator(f"#doc-table tr[data-doc='{doc['id']}']")).to_contain_text("已撤回")
    shots("withdrawn-375")

    # The public page says it was withdrawn, and why.
    page.evaluate("window.localStorage.clear(); window.sessionStorage.clear()")
    page.goto(f"/#/verify/{doc['verify_code']}")
    expect(page.locator("#verify-withdrawn")).to_contain_text("已撤回")
    expect(page.locator("#verify-withdrawn")).to_contain_text("案由填写有误 wrong cause")
    expect(page.locator("#verify-ok")).to_have_count(0)
    shots("verify-withdrawn-375")
    v = httpx.get(f"{server.api}/verify/documents/{doc['sha256']}").json()
    assert v["valid"] is False and v["withdrawn"]["reason"] == "案由填写有误 wrong cause"
