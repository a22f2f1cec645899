"""The Evidence family of API.md (wave 2, "Evidence (证据材料)"), and the bulk lead import."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import LocalTime
from engine.services.evidence import AttachmentView


class Location(BaseModel):
    lat: float = Field(description="WGS-84 latitude, decimal degrees")
    lon: float = Field(description="WGS-84 longitude, decimal degrees")


class AttachmentRead(BaseModel):
    id: int
    case_id: int
    filename: str
    media_type: str = Field(description="sniffed from the bytes, e.g. image/jpeg, video/mp4")
    size: int
    sha256: str = Field(description="of the stored bytes; also in the upload's audit event")
    uploaded_by: str
    uploaded_at: LocalTime
    taken_at: LocalTime | None = Field(description="EXIF capture time (Asia/Shanghai)")
    location: Location | None = Field(description="EXIF GPS position, WGS-84")
    # Beyond API.md: what the upload is bound to, its preview, and its withdrawal.
    task_id: str | None = None
    element_id: str | None = None
    message: str | None = None
    note: str | None = None
    thumbnail: bool = Field(default=False, description="GET …/thumbnail serves a JPEG preview")
    withdrawn: bool = False
    withdrawn_at: LocalTime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None

    @classmethod
    def of(cls, v: AttachmentView) -> AttachmentRead:
        return cls(
            id=v.id,
            case_id=v.case_id,
            filename=v.filename,
            media_type=v.media_type,
            size=v.size,
            sha256=v.sha256,
            uploaded_by=v.uploaded_by,
            uploaded_at=v.uploaded_at,
            taken_at=v.taken_at,
            location=Location(**v.location) if v.location else None,
            task_id=v.task_id,
            element_id=v.element_id,
            message=v.message,
            note=v.note,
            thumbnail=v.has_thumbnail,
            withdrawn=v.withdrawn,
            withdrawn_at=v.withdrawn_at,
            withdrawn_by=v.withdrawn_by,
            withdrawn_reason=v.withdrawn_reason,
        )


class WithdrawBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500, pattern=r"^[^\x00]+$")
