"""Evidence (issue 12) through the use cases, on SQLite and PostgreSQL: uploads are sniffed,
stored content-addressed, recorded in the case's trail, re-hashed by `audit verify`, never
deleted; EXIF fills `taken_at` and the case's location."""

from __future__ import annotations

import hashlib
import io
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine import services
from engine.bootstrap import App
from engine.errors import Conflict, PermissionDenied, ValidationFailed
from engine.files import FileTooLarge, LocalFileStore
from engine.services import Actor
from engine.services.evidence import (
    AttachmentView,
    add_attachment,
    attachment_content,
    list_attachments,
    withdraw_attachment,
)
from engine.services.views import CaseView
from tests.conftest import SHANGHAI
from tests.integration.conftest import HEAD, OFFICER
from tests.integration.evidence_files import ELF, LAT, LON, MP4, PDF, PE, heic, jpeg, png

AUDITOR = Actor("auditor1", ("auditor",))
INTAKE = {"address": "朝阳区某路1号", "district": "朝阳"}


def open_case(app: App, data: dict[str, Any] | None = None) -> CaseView:
    return services.open_case(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key="mini_case", data=data or INTAKE
    )


def upload(
    app: App,
    case_id: int,
    data: bytes,
    name: str = "现场照片.jpg",
    *,
    actor: Actor = OFFICER,
    declared: str | None = None,
    **kw: Any,
) -> AttachmentView:
    return add_attachment(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=actor,
        case_id=case_id,
        stream=io.BytesIO(data),
        filename=name,
        declared_type=declared,
        **kw,
    )


def trail(app: App, case_id: int) -> list[Any]:
    return services.case_trail(app.ctx.uow(read_only=True), case_id=case_id)


def store_path(app: App, sha: str) -> Path:
    store = app.ctx.documents.files
    assert isinstance(store, LocalFileStore)
    return store.root / sha[:2] / sha[2:4] / sha


def meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on the WGS-84 mean radius."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def test_an_upload_is_stored_and_its_sha_is_in_the_trail(mini: App) -> None:
    case = open_case(mini)
    photo = jpeg()
    att = upload(mini, case.id, photo, task_id=case.tasks[0].id, note="东侧外墙")

    assert att.sha256 == hashlib.sha256(photo).hexdigest()
    assert (att.media_type, att.size, att.uploaded_by) == ("image/jpeg", len(photo), "officer1")
    assert att.task_id == case.tasks[0].id and att.element_id == case.tasks[0].element_id
    assert store_path(mini, att.sha256).read_bytes() == photo
    event = trail(mini, case.id)[-1]
    assert event.action == "attachment_added"
    assert event.actor == "officer1"
    assert {k: event.data[k] for k in ("filename", "media_type", "size", "sha256", "task_id")} == {
        "filename": "现场照片.jpg",
        "media_type": "image/jpeg",
        "size": len(photo),
        "sha256": att.sha256,
        "task_id": case.tasks[0].id,
    }
    assert services.verify_case(mini.ctx.uow(read_only=True), ctx=mini.ctx, case_id=case.id).valid
    _, chunks = attachment_content(mini.ctx.uow(read_only=True), ctx=mini.ctx, att_id=att.id)
    assert b"".join(chunks) == photo
    assert [a.id for a in list_attachments(mini.ctx.uow(read_only=True), case_id=case.id)] == [
        att.id
    ]


def test_altered_bytes_make_verify_fail_naming_the_attachment(mini: App) -> None:
    case = open_case(mini)
    upload(mini, case.id, png(), "平面图.png")
    att = upload(mini, case.id, PDF, "询问笔录.pdf")
    path = store_path(mini, att.sha256)
    path.write_bytes(PDF.replace(b"Catalog", b"Catalag"))
    result = services.verify_case(mini.ctx.uow(read_only=True), ctx=mini.ctx, case_id=case.id)
    assert not result.valid
    assert f"#{att.id}" in (result.reason or "") and "询问笔录.pdf" in (result.reason or "")
    assert "altered" in (result.reason or "")
    assert result.first_bad_seq == att_seq(mini, case.id, att.id)
    failures = services.verify_all(mini.ctx.uow(read_only=True), ctx=mini.ctx)
    assert [f.case_id for f in failures] == [case.id]
    # Altered bytes are never served.
    with pytest.raises(Conflict):
        attachment_content(mini.ctx.uow(read_only=True), ctx=mini.ctx, att_id=att.id)
    path.unlink()
    result = services.verify_case(mini.ctx.uow(read_only=True), ctx=mini.ctx, case_id=case.id)
    assert not result.valid and "missing" in (result.reason or "")


def att_seq(app: App, case_id: int, att_id: int) -> int:
    return next(
        e.seq
        for e in trail(app, case_id)
        if e.action == "attachment_added" and e.data["attachment_id"] == att_id
    )


@pytest.mark.parametrize(
    ("content", "name", "declared"),
    [
        (PE, "现场照片.jpg", "image/jpeg"),
        (ELF, "photo.jpg", "image/jpeg"),
        (PE, "photo", None),
        (b"just text, not a photo", "note.jpg", "image/jpeg"),
        (png(), "photo.jpg", "image/jpeg"),  # the name lies
        (MP4, "clip.mp4", "image/jpeg"),  # the header lies
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "broken.jpg", "image/jpeg"),  # only looks like one
    ],
    ids=["pe-as-jpg", "elf-as-jpg", "pe-no-name", "text", "png-named-jpg", "mp4-said-image", "bad"],
)
def test_a_file_that_is_not_what_it_says_is_refused(
    mini: App, content: bytes, name: str, declared: str | None
) -> None:
    case = open_case(mini)
    before = len(trail(mini, case.id))
    with pytest.raises(ValidationFailed) as info:
        upload(mini, case.id, content, name, declared=declared)
    assert info.value.errors[0].loc == ["file"]
    assert len(trail(mini, case.id)) == before
    assert list_attachments(mini.ctx.uow(read_only=True), case_id=case.id) == []
    store = mini.ctx.documents.files
    assert isinstance(store, LocalFileStore)
    stored = [p for p in store.root.rglob("*") if p.is_file()] if store.root.exists() else []
    assert stored == []


def test_accepted_kinds(mini: App) -> None:
    case = open_case(mini)
    kinds = [
        upload(mini, case.id, heic(), "IMG_0001.HEIC").media_type,
        upload(mini, case.id, MP4, "执法记录仪.mp4", declared="video/mp4").media_type,
        upload(mini, case.id, PDF, "scan.pdf", declared="application/octet-stream").media_type,
    ]
    assert kinds == ["image/heic", "video/mp4", "application/pdf"]
    heic_view = list_attachments(mini.ctx.uow(read_only=True), case_id=case.id)[0]
    assert heic_view.has_thumbnail  # a JPEG preview: browsers show no HEIC
    _, chunks = attachment_content(
        mini.ctx.uow(read_only=True), ctx=mini.ctx, att_id=heic_view.id, thumbnail=True
    )
    assert b"".join(chunks)[:3] == b"\xff\xd8\xff"


def test_an_auditor_cannot_upload(mini: App) -> None:
    case = open_case(mini)
    with pytest.raises(PermissionDenied):
        upload(mini, case.id, jpeg(), actor=AUDITOR)
    assert list_attachments(mini.ctx.uow(read_only=True), case_id=case.id) == []
    assert upload(mini, case.id, jpeg(), actor=HEAD).uploaded_by == "head1"


def test_exif_gps_gives_location_within_10_m_and_taken_at(mini: App) -> None:
    case = open_case(mini)
    att = upload(mini, case.id, jpeg(lat=LAT, lon=LON, taken=datetime(2026, 2, 9, 15, 30, 12)))
    assert att.location is not None
    assert meters(att.location["lat"], att.location["lon"], LAT, LON) < 10
    assert att.taken_at == datetime(2026, 2, 9, 15, 30, 12, tzinfo=SHANGHAI)
    # The intake had no location: the first geotagged photo fills it, in a new case version.
    after = services.get_case(mini.ctx.uow(read_only=True), case_id=case.id)
    assert meters(after.data["location"]["lat"], after.data["location"]["lon"], LAT, LON) < 10
    assert after.case_version == case.case_version + 1
    assert trail(mini, case.id)[-1].data["location_filled"] is True
    # A later photo elsewhere does not move it.
    upload(mini, case.id, jpeg(lat=31.2304, lon=121.4737))
    again = services.get_case(mini.ctx.uow(read_only=True), case_id=case.id)
    assert again.data["location"] == after.data["location"]
    assert again.case_version == after.case_version


def test_an_offset_in_exif_is_kept_and_southern_western_signs(mini: App) -> None:
    case = open_case(mini)
    att = upload(
        mini,
        case.id,
        jpeg(lat=-33.8688, lon=-70.6693, taken=datetime(2026, 2, 9, 1, 0), offset="-03:00"),
    )
    assert att.taken_at == datetime(2026, 2, 9, 12, 0, tzinfo=SHANGHAI)
    assert att.location is not None
    assert meters(att.location["lat"], att.location["lon"], -33.8688, -70.6693) < 10


def test_a_location_from_the_intake_is_kept(mini: App) -> None:
    case = open_case(mini, {**INTAKE, "location": {"lat": 39.99, "lon": 116.47}})
    upload(mini, case.id, jpeg())
    after = services.get_case(mini.ctx.uow(read_only=True), case_id=case.id)
    assert after.data["location"] == {"lat": 39.99, "lon": 116.47}
    assert after.case_version == case.case_version
    upload(mini, case.id, jpeg(lat=None, lon=None))  # a photo without GPS changes nothing


def test_withdrawal_is_audited_and_keeps_the_file(mini: App) -> None:
    case = open_case(mini)
    att = upload(mini, case.id, jpeg(), "wrong.jpg")
    with pytest.raises(ValidationFailed):
        withdraw_attachment(mini.ctx.uow(), ctx=mini.ctx, actor=OFFICER, att_id=att.id, reason=" ")
    with pytest.raises(PermissionDenied):
        withdraw_attachment(mini.ctx.uow(), ctx=mini.ctx, actor=AUDITOR, att_id=att.id, reason="x")
    done = withdraw_attachment(
        mini.ctx.uow(), ctx=mini.ctx, actor=OFFICER, att_id=att.id, reason="拍错了案件 wrong case"
    )
    assert done.withdrawn and done.withdrawn_reason == "拍错了案件 wrong case"
    event = trail(mini, case.id)[-1]
    assert (event.action, event.data["attachment_id"], event.data["reason"]) == (
        "attachment_withdrawn",
        att.id,
        "拍错了案件 wrong case",
    )
    with pytest.raises(Conflict):
        withdraw_attachment(mini.ctx.uow(), ctx=mini.ctx, actor=OFFICER, att_id=att.id, reason="x")
    listed = list_attachments(mini.ctx.uow(read_only=True), case_id=case.id)
    assert [(a.id, a.withdrawn) for a in listed] == [(att.id, True)]
    assert store_path(mini, att.sha256).exists()  # never deleted
    assert services.verify_case(mini.ctx.uow(read_only=True), ctx=mini.ctx, case_id=case.id).valid


def test_task_and_message_bindings_are_checked(mini: App) -> None:
    case = open_case(mini)
    with pytest.raises(ValidationFailed) as info:
        upload(mini, case.id, jpeg(), task_id="not-a-task")
    assert info.value.errors[0].loc == ["task_id"]
    with pytest.raises(ValidationFailed) as info:
        upload(mini, case.id, jpeg(), message="party_demolished")
    assert info.value.errors[0].loc == ["message"]


def test_the_size_limit_refuses_and_stores_nothing(mini: App) -> None:
    mini.settings.files.max_attachment_bytes = 2048
    case = open_case(mini)
    with pytest.raises(FileTooLarge):
        upload(mini, case.id, MP4 + b"\x00" * 4096, "big.mp4")
    assert list_attachments(mini.ctx.uow(read_only=True), case_id=case.id) == []
    store = mini.ctx.documents.files
    assert isinstance(store, LocalFileStore)
    assert not [p for p in store.root.rglob("*") if p.is_file()]


def test_concurrent_uploads_to_one_case_keep_one_chain(mini: App) -> None:
    """Officers on site upload at the same moment: the case row lock orders them, each upload
    is one event of the chain, and the first geotagged photo alone fills the location."""
    from concurrent.futures import ThreadPoolExecutor

    case = open_case(mini)
    photos = [jpeg(lat=LAT + i / 1000, lon=LON, color=(i * 30, 80, 80)) for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(lambda p: upload(mini, case.id, p), photos))
    assert len({a.id for a in done}) == 4
    events = [e for e in trail(mini, case.id) if e.action == "attachment_added"]
    assert sorted(e.data["attachment_id"] for e in events) == sorted(a.id for a in done)
    assert [e.data["location_filled"] for e in events].count(True) == 1
    after = services.get_case(mini.ctx.uow(read_only=True), case_id=case.id)
    assert after.case_version == case.case_version + 1
    assert services.verify_case(mini.ctx.uow(read_only=True), ctx=mini.ctx, case_id=case.id).valid
