"""Wiring for entry points: settings → engine → unit of work, built once per process."""

from __future__ import annotations

import functools

from sqlalchemy.engine import Engine

from temir.kit.db import UnitOfWork, engine_for
from temir.kit.settings import Settings


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


def engine() -> Engine:
    return engine_for(settings().database_url)


def uow() -> UnitOfWork:
    return UnitOfWork(engine())
