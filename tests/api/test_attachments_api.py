"""The Evidence routes on both databases: upload (multipart), list, content with its media
type, preview, withdraw, the audit verify that names an altered attachment, refusals as
problem details, the lead import, and the OpenAPI description of the file part."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from engine.files import LocalFileStore
from tests.api.conftest import API, Driver, assert_problem
from tests.integration.evidence_files import LAT, LON, MP4, PE, jpeg

Headers = Callable[[str], dict[str, str]]


def post_file(
    client: TestClient,
    headers: Headers,
    case_id: int,
    content: bytes,
    name: str = "现场.jpg",
    media: str = "image/jpeg",
    role: str = "officer",
    **fields: str,
) -> object:
    return client.post(
        f"{API}/cases/{case_id}/attachments",
        files={"file": (name, content, media)},
        data=fields,
        headers=headers(role),
    )


def test_upload_list_content_thumbnail(client: TestClient, headers: Headers, drive: Driver) -> None:
    case = drive.open()
    photo = jpeg(lat=LAT, lon=LON)
    r = post_file(client, headers, case["id"], photo, task_id=case["tasks"][0]["id"], note="北侧")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    att = r.json()  # type: ignore[attr-defined]
    assert att["sha256"] == hashlib.sha256(photo).hexdigest()
    assert (att["media_type"], att["size"], att["uploaded_by"]) == (
        "image/jpeg",
        len(photo),
        "officer1",
    )
    assert att["taken_at"] == "2026-02-09T15:30:12+08:00"
    assert abs(att["location"]["lat"] - LAT) < 1e-4 and abs(att["location"]["lon"] - LON) < 1e-4
    assert att["uploaded_at"].endswith("+08:00") and att["thumbnail"] is True
    for key in (
        "id",
        "case_id",
        "filename",
        "media_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "taken_at",
        "location",
    ):
        assert key in att  # API.md's Attachment
    listed = client.get(f"{API}/cases/{case['id']}/attachments", headers=headers("auditor"))
    assert [a["id"] for a in listed.json()] == [att["id"]]
    body = client.get(f"{API}/attachments/{att['id']}/content", headers=headers("auditor"))
    assert body.status_code == 200
    assert body.headers["content-type"] == "image/jpeg"
    assert body.headers["x-content-sha256"] == att["sha256"]
    assert body.content == photo
    thumb = client.get(f"{API}/attachments/{att['id']}/thumbnail", headers=headers("officer"))
    assert thumb.headers["content-type"] == "image/jpeg" and thumb.content[:2] == b"\xff\xd8"
    video = post_file(client, headers, case["id"], MP4, "执法记录.mp4", "video/mp4").json()  # type: ignore[attr-defined]
    got = client.get(f"{API}/attachments/{video['id']}/content", headers=headers("head"))
    assert got.headers["content-type"] == "video/mp4" and got.content == MP4
    assert_problem(
        client.get(f"{API}/attachments/{video['id']}/thumbnail", headers=headers("head")), 404
    )
    # The case took its location from the photo.
    after = client.get(f"{API}/cases/{case['id']}", headers=headers("officer")).json()
    assert abs(after["data"]["location"]["lat"] - LAT) < 1e-4


def test_refusals_are_problems_and_change_nothing(
    client: TestClient, headers: Headers, drive: Driver
) -> None:
    case = drive.open()
    body = assert_problem(post_file(client, headers, case["id"], PE, "photo.jpg"), 422)
    assert (
        body["errors"][0]["loc"][-1] == "file"
        and "application/x-msdownload" in body["errors"][0]["msg"]
    )
    assert_problem(post_file(client, headers, case["id"], jpeg(), role="auditor"), 403)
    assert_problem(post_file(client, headers, case["id"], jpeg(), role="legal_review"), 403)
    assert_problem(post_file(client, headers, 999999, jpeg()), 404)
    body = assert_problem(post_file(client, headers, case["id"], jpeg(), task_id="nope"), 422)
    assert body["errors"][0]["loc"][-1] == "task_id"
    assert (
        client.get(f"{API}/cases/{case['id']}/attachments", headers=headers("officer")).json() == []
    )
    trail = client.get(f"{API}/cases/{case['id']}/audit", headers=headers("officer")).json()
    assert [e["action"] for e in trail] == ["case_opened"]


def test_size_limit_is_413(client: TestClient, headers: Headers, drive: Driver) -> None:
    case = drive.open()
    client.app.state.qingwei.settings.files.max_attachment_bytes = 4096  # type: ignore[attr-defined]
    assert_problem(
        post_file(client, headers, case["id"], MP4 + b"\x00" * 8192, "a.mp4", "video/mp4"), 413
    )
    assert (
        client.get(f"{API}/cases/{case['id']}/attachments", headers=headers("officer")).json() == []
    )


def test_withdraw_and_verify_names_an_altered_attachment(
    client: TestClient, headers: Headers, drive: Driver, tmp_path: Path
) -> None:
    case = drive.open()
    att = post_file(client, headers, case["id"], jpeg(), "错拍.jpg").json()  # type: ignore[attr-defined]
    url = f"{API}/attachments/{att['id']}/withdraw"
    assert_problem(client.post(url, json={"reason": "x"}, headers=headers("auditor")), 403)
    assert_problem(client.post(url, json={"reason": ""}, headers=headers("officer")), 422)
    done = client.post(url, json={"reason": "拍错案件"}, headers=headers("officer"))
    assert done.status_code == 200 and done.json()["withdrawn"] is True
    assert done.json()["withdrawn_reason"] == "拍错案件"
    assert_problem(client.post(url, json={"reason": "again"}, headers=headers("officer")), 409)
    verify = client.get(f"{API}/cases/{case['id']}/audit/verify", headers=headers("auditor"))
    assert verify.json()["valid"] is True
    store = client.app.state.qingwei.ctx.documents.files  # type: ignore[attr-defined]
    assert isinstance(store, LocalFileStore)
    path = store.root / att["sha256"][:2] / att["sha256"][2:4] / att["sha256"]
    path.write_bytes(path.read_bytes()[:-10])
    verify = client.get(f"{API}/cases/{case['id']}/audit/verify", headers=headers("auditor")).json()
    assert verify["valid"] is False
    assert f"#{att['id']}" in verify["reason"] and "错拍.jpg" in verify["reason"]
    assert_problem(
        client.get(f"{API}/attachments/{att['id']}/content", headers=headers("officer")), 409
    )


def test_import_leads_page_route(client: TestClient, headers: Headers, drive: Driver) -> None:
    drive.open()  # deploys nothing new: mini_case is there
    sheet = "编号,地址,区县,线索来源\nA1,朝阳区某路1号,朝阳,巡查\nA2,,朝阳,巡查\n".encode()
    files = {"file": ("线索.csv", sheet, "text/csv")}
    form = {"process_key": "mini_case", "dry_run": "true"}
    r = client.post(f"{API}/imports/leads", files=files, data=form, headers=headers("head"))
    assert r.status_code == 200, r.text
    assert r.json()["summary"] == {"created": 0, "would_create": 1, "skipped": 0, "refused": 1}
    assert "缺少地址" in r.json()["results"][1]["reasons"][0]
    form["dry_run"] = "false"
    assert_problem(
        client.post(f"{API}/imports/leads", files=files, data=form, headers=headers("head")), 403
    )
    r = client.post(f"{API}/imports/leads", files=files, data=form, headers=headers("officer"))
    assert r.json()["summary"]["created"] == 1
    r = client.post(f"{API}/imports/leads", files=files, data=form, headers=headers("officer"))
    assert r.json()["summary"]["created"] == 0 and r.json()["summary"]["skipped"] == 1
    bad = {"file": ("x.txt", b"hello", "text/plain")}
    assert_problem(
        client.post(f"{API}/imports/leads", files=bad, data=form, headers=headers("officer")), 422
    )


def test_openapi_declares_the_file_part_binary(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (f"{API}/cases/{{case_id}}/attachments", f"{API}/imports/leads"):
        ref = spec["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        schema = spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]
        assert schema["properties"]["file"]["type"] == "string"
        assert schema["properties"]["file"]["format"] == "binary"
        assert "file" in schema["required"]


def test_a_streamed_body_past_the_limit_is_cut_off_with_413(
    engine_app: object, headers: Headers, drive: Driver
) -> None:
    """Without a Content-Length (chunked), the input limits count the body as it streams
    and stop it past the evidence limit plus 1 MiB, whatever part carries the bulk."""
    from api.main import create_app

    case = drive.open()
    settings = engine_app.settings  # type: ignore[attr-defined]
    settings.files.max_attachment_bytes = 4096
    settings.limits.max_upload_bytes = 2048
    limit = settings.multipart_body_limit()
    assert limit == 4096 + 1_048_576
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()

    def body() -> object:
        # A small file (the route would take it) and 1.5 MiB in another field: only the
        # streamed count of the whole body can refuse this one.
        yield head + MP4 + f"\r\n--{boundary}\r\n".encode()
        yield b'Content-Disposition: form-data; name="note"\r\n\r\n'
        for _ in range(3):
            yield b"x" * 512 * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    with TestClient(create_app(engine_app), raise_server_exceptions=False) as fresh:  # type: ignore[arg-type]
        r = fresh.post(
            f"{API}/cases/{case['id']}/attachments",
            content=body(),  # type: ignore[arg-type]
            headers={
                **headers("officer"),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert_problem(r, 413)
        listed = fresh.get(f"{API}/cases/{case['id']}/attachments", headers=headers("officer"))
        assert listed.json() == []
