"""Helpers shared by the accounts tests (a plain module: conftest modules cannot be imported)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from temir.accounts.model import Role

PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    organisation: str
    role: Role


MakeAccount = Callable[..., Account]
