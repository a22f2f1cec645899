"""Every shipped process as bpmn-js draws it, at fit-to-screen on a 1920 x 1080 page.

The DI test (tests/process/test_diagram_geometry.py) checks the geometry the files declare; this
one checks what a designer actually sees: the text bpmn-js lays out, measured in the browser. No
label's text overlaps another's or a foreign shape, and no task's name spills out of its box.
With QINGWEI_WRITE_DIAGRAMS=1 the screenshots are written to docs/diagrams/ (committed)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import SCREENSHOTS

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "api" / "web" / "static" / "vendor" / "bpmn-js"
FILES = sorted((ROOT / "processes").glob("*.bpmn"))
DOCS = ROOT / "docs" / "diagrams"

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="{assets}/diagram-js.css">
<link rel="stylesheet" href="{assets}/bpmn-js.css">
<style>html,body,#c{{margin:0;width:100%;height:100%;background:#fff}}</style>
<script src="{viewer}"></script></head><body><div id="c"></div></body></html>"""

# Measures, in diagram coordinates, the text of every label and task and the shapes' boxes.
MEASURE = """async (xml) => {
  const viewer = new BpmnJS({container: '#c'});
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  canvas.zoom('fit-viewport');
  const registry = viewer.get('elementRegistry');
  const shapes = [], texts = [];
  for (const el of registry.getAll()) {
    if (el.waypoints || el.type === 'bpmn:Process' || el.type === 'bpmn:Participant'
        || el.type === 'bpmn:Lane' || el.type === 'bpmn:Collaboration' || !el.type) continue;
    const gfx = registry.getGraphics(el);
    const text = gfx && gfx.querySelector('text');
    if (el.type === 'label') {
      if (text && text.textContent.trim()) {
        const b = text.getBBox();
        texts.push({id: el.businessObject.id, kind: 'label',
                    x: el.x + b.x, y: el.y + b.y, w: b.width, h: b.height});
      }
      continue;
    }
    shapes.push({id: el.id, type: el.type, host: el.host ? el.host.id : null,
                 x: el.x, y: el.y, w: el.width, h: el.height});
    if (text && text.textContent.trim()) {
      const b = text.getBBox();
      texts.push({id: el.id, kind: 'inside', x: el.x + b.x, y: el.y + b.y,
                  w: b.width, h: b.height});
    }
  }
  return {zoom: canvas.zoom(), shapes, texts};
}"""


def _overlap(a: dict[str, float], b: dict[str, float], tol: float = 1.0) -> bool:
    return (
        a["x"] + tol < b["x"] + b["w"]
        and b["x"] + tol < a["x"] + a["w"]
        and a["y"] + tol < b["y"] + b["h"]
        and b["y"] + tol < a["y"] + a["h"]
    )


@pytest.fixture(scope="module")
def diagram_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not (VENDOR / "bpmn-navigated-viewer.production.min.js").exists():
        pytest.skip("bpmn-js is not built: run `make web`")
    html = tmp_path_factory.mktemp("diagrams") / "viewer.html"
    html.write_text(
        PAGE.format(
            assets=(VENDOR / "assets").as_uri(),
            viewer=(VENDOR / "bpmn-navigated-viewer.production.min.js").as_uri(),
        ),
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(html.as_uri())
    yield page
    context.close()


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_diagram_is_readable_as_drawn(diagram_page: Any, path: Path) -> None:
    page = diagram_page
    page.reload()
    result = page.evaluate(MEASURE, path.read_text(encoding="utf-8"))
    out = DOCS if os.environ.get("QINGWEI_WRITE_DIAGRAMS") == "1" else SCREENSHOTS / "diagrams"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{path.stem}.png"))
    shapes = {s["id"]: s for s in result["shapes"]}
    texts = result["texts"]
    problems: list[str] = []
    for t in texts:
        if t["kind"] == "inside":
            box = shapes[t["id"]]
            if t["y"] < box["y"] - 1 or t["y"] + t["h"] > box["y"] + box["h"] + 1:
                problems.append(f"{t['id']}: name spills out of its box")
            continue
        for other in texts:
            if (
                other is not t
                and other["kind"] == "label"
                and other["id"] < t["id"]
                and _overlap(t, other)
            ):
                problems.append(f"label {t['id']} overlaps label {other['id']}")
        for s in shapes.values():
            if s["id"] == t["id"]:
                continue
            if _overlap(t, s):
                problems.append(f"label {t['id']} overlaps shape {s['id']}")
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)
    # read at fit-to-screen, the text is no smaller than half its size
    assert result["zoom"] >= 0.5, result["zoom"]
