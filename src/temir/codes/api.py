"""``POST /api/v1/codes/check``: check many codes of one kind in one request;
``GET /api/v1/codes/dangerous``: the UN entries a cargo code may be declared as (box 15)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from temir.codes.check import KINDS, UNKNOWN_KIND, check
from temir.codes.dangerous import designations, no_code_error
from temir.kit.api import request_language
from temir.kit.contract import declared
from temir.kit.errors import ValidationFailed

router = APIRouter(tags=["codes"])

MAX_CODES = 1000


class CodeCheckRequest(BaseModel):
    kind: Annotated[
        str,
        Field(max_length=32, description="esr, etsng, gng, wagon, …",
              json_schema_extra=declared(enum=KINDS)),
    ]  # fmt: skip
    codes: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=MAX_CODES)]


class CodeErrorOut(BaseModel):
    code: str
    rule: str
    field: str | None
    params: dict[str, Any]
    message: str
    messages: dict[str, str]


class CodeCheckOut(BaseModel):
    code: str
    kind: str
    valid: bool
    normalized: str | None
    errors: list[CodeErrorOut]


@router.post("/codes/check", response_model=list[CodeCheckOut])
def check_codes(body: CodeCheckRequest, request: Request) -> list[CodeCheckOut]:
    """One verdict per code, in input order; a wrong code is a verdict, not an HTTP error.
    An unknown ``kind`` is a 422 ``codes.unknown_kind``."""
    if body.kind not in KINDS:
        problem = UNKNOWN_KIND.problem("kind", kind=body.kind, known=", ".join(KINDS))
        raise ValidationFailed.from_problems([problem])
    lang = request_language(request)
    return [CodeCheckOut.model_validate(check(body.kind, c).to_dict(lang)) for c in body.codes]


class DangerousEntryOut(BaseModel):
    un_number: str
    hazard_class: str
    packing_group: str | None = Field(description="None for classes 1, 2, 5.2, 6.2 and 7.")
    entry: str = Field(description="UN number and name as the dangerous goods list prints them.")
    source: str = Field(description="Edition of the list and the public copy it was read from.")


class DangerousOut(BaseModel):
    etsng: str | None
    gng: str | None
    dangerous: bool
    entries: list[DangerousEntryOut]


CodeQuery = Annotated[str | None, Query(max_length=20)]


@router.get("/codes/dangerous", response_model=DangerousOut)
def dangerous_goods(etsng: CodeQuery = None, gng: CodeQuery = None) -> DangerousOut:
    """The UN entries (number, class, packing group) the goods may be declared as in box 15.

    ``dangerous`` is false and ``entries`` empty when no shipped source designates the code;
    that says "not in the table", not "certainly harmless" (data/cargo/SOURCES.md). Neither
    code given is a 422 ``dangerous.no_code``."""
    etsng, gng = (etsng or "").strip() or None, (gng or "").strip() or None
    if etsng is None and gng is None:
        raise no_code_error()
    found = designations(etsng, gng)
    entries = [DangerousEntryOut.model_validate(d.to_dict()) for d in found]
    return DangerousOut(etsng=etsng, gng=gng, dangerous=bool(found), entries=entries)
