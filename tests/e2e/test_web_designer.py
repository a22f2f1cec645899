"""A process designer lists versions, views a diagram, uploads a broken and then a good BPMN."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, Shots, sign_in

BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="http://qingwei.example/e2e">
  <bpmn:process id="e2e_broken" name="Broken process" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="hack" name="Script"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>import os
os.system("id")</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hack" />
    <bpmn:sequenceFlow id="f2" sourceRef="hack" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="d2" targetNamespace="http://qingwei.example/e2e">
  <bpmn:process id="e2e_upload" name="上传测试 Upload test" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="officer">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="受理"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="核查 Check">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="mini_investigate.json" />
        <spiffworkflow:property name="stage" value="investigation" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end" name="结束"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


def test_designer_uploads_a_broken_bpmn_and_sees_the_error(
    page: Any, server: Server, shots: Shots
) -> None:
    sign_in(page, "designer1")
    expect(page).to_have_url(f"{server.base}/#/processes")
    expect(page.locator("#process-table tr[data-key='mini_case']")).to_contain_text("v1")
    shots("processes")

    page.set_input_files(
        "#bpmn-files",
        files=[{"name": "broken.bpmn", "mimeType": "application/xml", "buffer": BROKEN}],
    )
    report = page.locator("#validation-report .validation")
    expect(report).to_have_attribute("data-valid", "false")
    expect(report).to_contain_text("校验未通过：1 个错误")
    expect(report).to_contain_text("broken.bpmn:")
    expect(report).to_contain_text("元素 element hack「Script」 (流程 process e2e_broken)")
    expect(report).to_contain_text("imports are not allowed in a script")
    expect(report).to_contain_text("处理 Fix:")
    expect(page.locator("#deploy")).to_be_disabled()
    shots("broken-upload")
    keys = {p["key"] for p in server.call("GET", "/processes", "designer1")}
    assert "e2e_broken" not in keys


def test_designer_deploys_a_version_and_views_its_diagram(
    page: Any, server: Server, shots: Shots
) -> None:
    sign_in(page, "designer1")
    page.set_input_files(
        "#bpmn-files",
        files=[{"name": "e2e_upload.bpmn", "mimeType": "application/xml", "buffer": GOOD}],
    )
    expect(page.locator("#validation-report .validation")).to_have_attribute("data-valid", "true")
    expect(page.locator("#deploy")).to_be_enabled()
    page.click("#deploy")
    expect(page.locator(".notice.ok")).to_contain_text("已部署：e2e_upload v1")
    row = page.locator("#process-table tr[data-key='e2e_upload']")
    expect(row).to_contain_text("上传测试 Upload test")
    expect(row).to_contain_text("最新")

    row.get_by_role("link", name="查看流程图").click()
    expect(page.locator("#process-diagram .djs-element[data-element-id='check']")).to_have_count(1)
    expect(page.locator("#process-diagram")).to_contain_text("自动排版")
    shots("diagram-uploaded")

    page.goto(f"{server.base}/#/processes/mini_case/1")
    expect(
        page.locator("#process-diagram .djs-element[data-element-id='investigate']")
    ).to_have_count(1)
    shots("diagram-mini-case")
