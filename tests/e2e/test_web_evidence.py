"""Evidence in the browser: a photo attached at intake (and a scan dropped on the drop zone)
appears in the case's gallery with its capture time and place, and fills the case's location;
a task form uploads evidence bound to its task; a program disguised as a photo is refused with
the server's reason; a withdrawal asks for a reason; the import page shows its result table.
Screenshots at 1280 and 375 px."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, Shots, sign_in
from tests.integration.evidence_files import PDF, PE, jpeg


def drop(page: Any, selector: str, name: str, data: bytes, media: str) -> None:
    """Drop a file on an element, the way a desktop browser does (a DataTransfer)."""
    transfer = page.evaluate_handle(
        """([b64, name, media]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: media }));
            return dt;
        }""",
        [base64.b64encode(data).decode(), name, media],
    )
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_photo_at_intake_shows_in_the_gallery(
    page: Any, server: Server, shots: Shots, tmp_path: Path
) -> None:
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg(size=(640, 480), color=(150, 110, 70)))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "officer1")
    page.goto("/#/cases/new")
    page.select_option("#process-key", "mini_case")
    page.fill("[data-field='address'] input", "朝阳区望京街道某小区5号楼顶")
    page.fill("[data-field='district'] input", "朝阳区")
    page.select_option("[data-field='source'] select", label="巡查发现")
    page.select_option("[data-field='use_type'] select", label="居住")
    page.check("[data-field='construction_ongoing'] input[value='true']")
    page.check("[data-field='party_known'] input[value='false']")
    page.set_input_files("#intake-evidence-input", str(photo))
    drop(page, "#intake-evidence-drop", "询问笔录.pdf", PDF, "application/pdf")
    expect(page.locator("#intake-evidence-list li")).to_have_count(2)
    expect(page.locator("#intake-evidence-list")).to_contain_text("现场照片.jpg")
    shots("intake-with-photo-1280")
    page.locator("form.qw-form button[type=submit]").click()

    expect(page.locator(".notice.ok")).to_contain_text("已上传 2 个证据文件")
    expect(page).to_have_url(re.compile(r"#/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    gallery = page.locator("#gallery")
    card = gallery.locator(".att-card", has_text="现场照片.jpg")
    expect(card).to_contain_text("拍摄 2026-02-09 15:30")
    expect(card).to_contain_text("坐标 39.92060, 116.44310")
    expect(gallery.locator(".att-card", has_text="询问笔录.pdf")).to_contain_text("文档")
    thumb = card.locator("img.att-thumb")
    expect(thumb).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function(
        "() => { const i = document.querySelector('#gallery img.att-thumb');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(page.locator("#sec-timeline")).to_contain_text("上传证据：现场照片.jpg")
    expect(page.locator("#sec-timeline")).to_contain_text("已据照片坐标填写案件位置")
    page.locator("#sec-evidence").scroll_into_view_if_needed()
    shots("gallery-1280")
    card.locator("button.att-open").click()
    expect(page.locator("#att-viewer img.att-full")).to_be_visible()
    data = server.call("GET", f"/cases/{case_id}", "officer1")["data"]
    assert abs(data["location"]["lat"] - 39.9206) < 1e-4
    assert abs(data["location"]["lon"] - 116.4431) < 1e-4

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/#/cases/{case_id}")
    expect(page.locator("#gallery .att-card")).to_have_count(2)
    page.wait_for_function(
        "() => { const i = document.querySelector('#gallery img.att-thumb');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
    shots("gallery-375")
    page.goto("/#/cases/new")
    expect(page.locator("#intake-evidence-drop")).to_be_visible()
    shots("intake-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_task_form_upload_refusal_and_withdrawal(
    page: Any, server: Server, shots: Shots, tmp_path: Path
) -> None:
    case = server.open_case()
    cid = case["id"]
    task = case["tasks"][0]
    photo = tmp_path / "调查.jpg"
    photo.write_bytes(jpeg(lat=None, lon=None))
    fake = tmp_path / "现场.jpg"
    fake.write_bytes(PE)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "officer1")
    page.goto(f"/#/cases/{cid}/task/{task['id']}")
    form = page.locator("#task-form")
    form.locator("[data-field='classification'] select").select_option(index=1)
    form.locator("[data-field='area_m2'] input").fill("12")
    page.set_input_files("#task-evidence-input", str(photo))
    shots("task-form-evidence")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice.ok")).to_contain_text("已完成")
    listed = server.call("GET", f"/cases/{cid}/attachments", "officer1")
    assert [(a["filename"], a["task_id"]) for a in listed] == [("调查.jpg", task["id"])]

    # A program named .jpg: refused with the server's reason, nothing stored.
    page.set_input_files("#case-evidence-input", str(fake))
    page.click("#case-evidence-upload")
    expect(page.locator("#evidence-refused")).to_contain_text("不接受的文件类型")
    shots("refused")
    assert len(server.call("GET", f"/cases/{cid}/attachments", "officer1")) == 1

    page.once("dialog", lambda d: d.accept("拍错了，非本案现场"))
    page.locator("#gallery [data-action='withdraw']").click()
    expect(page.locator("#gallery .att-card.withdrawn")).to_contain_text("拍错了，非本案现场")
    expect(page.locator("#sec-timeline")).to_contain_text("撤回证据：调查.jpg")
    shots("withdrawn")

    # The auditor sees the gallery but no upload box and no withdraw button.
    page.locator("#logout").click()
    sign_in(page, "auditor1")
    page.goto(f"/#/cases/{cid}")
    expect(page.locator("#gallery .att-card")).to_have_count(1)
    expect(page.locator("#case-evidence-drop")).to_have_count(0)
    expect(page.locator("#gallery [data-action='withdraw']")).to_have_count(0)


def test_import_page_shows_the_result_table(
    page: Any, server: Server, shots: Shots, tmp_path: Path
) -> None:
    sheet = tmp_path / "线索.csv"
    sheet.write_text(
        "编号,地址,区县,线索来源,面积,坐标\n"
        'E2E-1,通州区某路1号,通州,12345热线,30,"39.90,116.65"\n'
        "E2E-2,,通州,巡查,,\n"
        "E2E-3,通州区某路3号,通州,电话,,\n",
        encoding="utf-8",
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "officer1")
    page.get_by_role("link", name="导入").click()
    page.select_option("#import-process", "mini_case")
    page.set_input_files("#import-file", str(sheet))
    page.click("#import-check")
    table = page.locator("#import-table")
    expect(table.locator("tr.would_create")).to_have_count(1)
    expect(table.locator("tr.refused")).to_have_count(2)
    expect(table).to_contain_text("缺少地址")
    expect(table).to_contain_text("线索来源无法识别：电话")
    shots("import-dry-run-1280")
    page.click("#import-run")
    expect(table.locator("tr.created")).to_have_count(1)
    link = table.locator("tr.created a")
    expect(link).to_have_text(re.compile(r"QW-2026-\d{6}"))
    page.click("#import-run")
    expect(page.locator("#import-table tr.skipped")).to_contain_text("已导入")
    page.set_viewport_size({"width": 375, "height": 800})
    shots("import-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_party_message_form_uploads_its_evidence(
    page: Any, server: Server, shots: Shots, tmp_path: Path
) -> None:
    case = server.open_case(area_m2=20.0)
    cid = case["id"]
    server.complete(cid, "officer1", {"classification": "not_correctable", "area_m2": 20})
    server.complete(cid, "head1", {"compliance_days": 15})
    server.complete(cid, "officer1", {"service_method": "direct", "served_at": "2026-02-10"})
    photo = tmp_path / "拆除后.jpg"
    photo.write_bytes(jpeg(lat=39.95, lon=116.40, color=(90, 140, 90)))
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "officer1")
    page.goto(f"/#/cases/{cid}")
    page.locator("button[data-message='party_demolished']").click()
    msg = page.locator("#message-form")
    msg.locator("[data-field='note'] textarea").fill("现场复查：已自行拆除，见照片。")
    page.set_input_files("#message-evidence-input", str(photo))
    expect(page.locator("#message-evidence-list li")).to_have_count(1)
    shots("message-form-375")
    msg.locator("button[type=submit]").click()
    expect(page.locator(".notice.ok")).to_contain_text("已记录：当事人已自行拆除")
    expect(page.locator("#gallery .att-card", has_text="拆除后.jpg")).to_contain_text(
        "坐标 39.95000"
    )
    listed = server.call("GET", f"/cases/{cid}/attachments", "officer1")
    assert [(a["filename"], a["message"]) for a in listed] == [("拆除后.jpg", "party_demolished")]
    after = server.call("GET", f"/cases/{cid}", "officer1")
    assert after["status"] == "closed"
    page.set_viewport_size({"width": 1280, "height": 900})
