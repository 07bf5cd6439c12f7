"""JSON routes for organisations' public signing keys: what verifiers elsewhere fetch.

Public (no log-in): public keys are meant to be published; private keys never leave the store.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from temir.kit.api import read_session
from temir.signing import service

router = APIRouter(tags=["keys"])


@router.get("/keys")
def list_keys(
    session: Session = Depends(read_session),
    organisation: str | None = Query(None, max_length=64),
) -> dict[str, Any]:
    """Every organisation's public signing keys, retired ones included (they still verify)."""
    return {"keys": [k.to_dict() for k in service.list_keys(session, organisation)]}


@router.get("/keys/keyring.json")
def keyring(session: Session = Depends(read_session)) -> list[dict[str, Any]]:
    """The public keys as the ``--keys`` file of ``temir notes verify``."""
    return [entry.model_dump() for entry in service.public_entries(session)]


@router.get("/keys/{key_id}")
def show_key(key_id: str, session: Session = Depends(read_session)) -> dict[str, Any]:
    return service.get_key(session, key_id).to_dict()
