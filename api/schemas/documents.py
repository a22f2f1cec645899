"""The Document family of API.md (wave 2, "Documents (文书)")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import LocalTime
from engine.services.documents import DocumentView, VerifiedDocument


class DocumentRead(BaseModel):
    id: int
    case_id: int
    kind: str = Field(description="the Chinese name of PROCEDURE.md §12, e.g. 限期拆除决定书")
    title: str
    number: str = Field(description="文号, e.g. 某城管拆决字〔2026〕第0012号")
    issued_at: LocalTime
    element_id: str
    sha256: str = Field(description="of the PDF bytes; also in the issuing step's audit event")
    served_at: str | None
    service_method: str | None
    recipient: str | None = None
    verify_code: str
    serves_id: int | None = Field(
        default=None, description="送达回证: the document it proves served"
    )
    # Beyond API.md: a document issued in error is withdrawn with a reason, never deleted.
    withdrawn: bool = False
    withdrawn_at: LocalTime | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None

    @classmethod
    def of(cls, v: DocumentView) -> DocumentRead:
        return cls(
            id=v.id,
            case_id=v.case_id,
            kind=v.kind,
            title=v.title,
            number=v.number,
            issued_at=v.issued_at,
            element_id=v.element_id,
            sha256=v.sha256,
            served_at=v.served_at,
            service_method=v.service_method,
            recipient=v.recipient,
            verify_code=v.verify_code,
            serves_id=v.serves_id,
            withdrawn=v.withdrawn_at is not None,
            withdrawn_at=v.withdrawn_at,
            withdrawn_by=v.withdrawn_by,
            withdrawn_reason=v.withdrawn_reason,
        )


class DocumentWithdrawBody(BaseModel):
    reason: str = Field(min_length=1, max_length=500, pattern=r"^[^\x00]+$")


class DocumentWithdrawal(BaseModel):
    """Beyond API.md: present when the document was withdrawn (then `valid` is false)."""

    at: LocalTime
    reason: str


class DocumentVerifyRead(BaseModel):
    valid: bool = Field(description="genuine and not withdrawn")
    number: str
    kind: str
    case_no: str
    issued_at: LocalTime
    withdrawn: DocumentWithdrawal | None = Field(
        default=None, description="genuine but withdrawn: when and why (then valid is false)"
    )

    @classmethod
    def of(cls, v: VerifiedDocument) -> DocumentVerifyRead:
        gone = (
            DocumentWithdrawal(at=v.withdrawn_at, reason=v.withdrawn_reason or "")
            if v.withdrawn_at is not None
            else None
        )
        return cls(
            valid=v.valid,
            number=v.number,
            kind=v.kind,
            case_no=v.case_no,
            issued_at=v.issued_at,
            withdrawn=gone,
        )
