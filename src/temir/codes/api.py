"""``POST /api/v1/codes/check``: check many codes of one kind in one request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from temir.codes.check import KINDS, UNKNOWN_KIND, check
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
