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
        )


class DocumentVerifyRead(BaseModel):
    valid: bool
    number: str
    kind: str
    case_no: str
    issued_at: LocalTime

    @classmethod
    def of(cls, v: VerifiedDocument) -> DocumentVerifyRead:
        return cls(
            valid=v.valid, number=v.number, kind=v.kind, case_no=v.case_no, issued_at=v.issued_at
        )
