"""A client generated from /openapi.json (openapi-python-client) uploads BPMN files.

The upload bodies declare their files `type: string, format: binary` (api/main.py), which is
what a generator needs to send a multipart file part; before, FastAPI's OpenAPI 3.1
`contentMediaType` alone made the generated field a plain string. The client is generated into
a scratch folder, the app is served by uvicorn on a free port over SQLite, and the generated
client signs in and validates a good and a bad file.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.main import create_app
from engine import services
from engine.bootstrap import App, build
from engine.config import Settings
from tests.conftest import FIXTURES, ROOT, fixture_bpmn

GENERATOR = ROOT / ".venv" / "bin" / "openapi-python-client"


def test_every_upload_is_declared_binary(tmp_path: Path) -> None:
    app = build(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", secret_key="k" * 32))
    try:
        schema = create_app(app).openapi()
    finally:
        app.close()
    components = schema["components"]["schemas"]
    for route in ("deploy_api_v1_processes_post", "validate_api_v1_processes_validate_post"):
        files = components[f"Body_{route}"]["properties"]["files"]
        assert files["type"] == "array"
        assert files["items"]["type"] == "string" and files["items"]["format"] == "binary"
    text = json.dumps(components)
    assert text.count('"contentMediaType": "application/octet-stream"') == text.count(
        '"format": "binary"'
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, App]]:
    db = tmp_path / "api.db"
    shutil.copy(sqlite_template, db)
    app = build(
        Settings(database_url=f"sqlite:///{db}", forms_dir=FIXTURES / "forms", secret_key="k" * 32)
    )
    services.add_user(
        app.ctx.uow(),
        ctx=app.ctx,
        username="designer1",
        password="pw-designer-1",
        roles=["designer"],
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(app), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.close()


def _generate(spec: dict[str, Any], where: Path) -> Any:
    (where / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--meta",
            "none",
            "--output-path",
            str(where / "qingwei_client"),
        ],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module("qingwei_client")
    finally:
        sys.path.remove(str(where))


def test_a_generated_client_uploads_bpmn_to_validate(
    served: tuple[str, App], tmp_path: Path
) -> None:
    base, app = served
    spec = create_app(app).openapi()
    client_pkg = _generate(spec, tmp_path)
    sign_in = importlib.import_module("qingwei_client.api.auth.token_api_v1_auth_token_post")
    validate = importlib.import_module(
        "qingwei_client.api.processes.validate_api_v1_processes_validate_post"
    )
    body_token = importlib.import_module("qingwei_client.models.body_token_api_v1_auth_token_post")
    body_validate = importlib.import_module(
        "qingwei_client.models.body_validate_api_v1_processes_validate_post"
    )
    types = importlib.import_module("qingwei_client.types")

    anonymous = client_pkg.Client(base_url=base)
    token = sign_in.sync(
        client=anonymous,
        body=body_token.BodyTokenApiV1AuthTokenPost(username="designer1", password="pw-designer-1"),
    )
    assert token is not None and token.access_token, token
    client = client_pkg.AuthenticatedClient(base_url=base, token=token.access_token)

    def upload(name: str, content: bytes) -> Any:
        part = types.File(payload=content, file_name=name, mime_type="application/xml")
        return validate.sync_detailed(
            client=client, body=body_validate.BodyValidateApiV1ProcessesValidatePost(files=[part])
        )

    good = upload("mini_case.bpmn", fixture_bpmn("mini_case.bpmn"))
    assert good.status_code == 200, good.content
    assert json.loads(good.content) == {"valid": True, "errors": [], "warnings": []}

    bad_xml = fixture_bpmn("mini_case.bpmn").replace(
        b'value="ARL Art. 20"', b'value="XYZ Art. 999"'
    )
    bad = upload("bad.bpmn", bad_xml)
    assert bad.status_code == 200, bad.content
    report = json.loads(bad.content)
    assert report["valid"] is False
    assert len(report["errors"]) == 1 and "XYZ Art. 999" in report["errors"][0]
    assert report["errors"][0].startswith("bad.bpmn:")


def test_two_uploads_with_one_name_are_refused_not_merged(served: tuple[str, App]) -> None:
    import httpx

    base, _ = served
    token = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": "designer1", "password": "pw-designer-1"}
    ).json()["access_token"]
    bad = fixture_bpmn("mini_case.bpmn").replace(b'value="ARL Art. 20"', b'value="XYZ Art. 999"')
    r = httpx.post(
        f"{base}/api/v1/processes/validate",
        headers={"Authorization": f"Bearer {token}"},
        files=[
            ("files", ("x.bpmn", bad, "application/xml")),
            ("files", ("x.bpmn", fixture_bpmn("mini_case.bpmn"), "application/xml")),
        ],
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "x.bpmn" in r.text and "rename" in r.text
