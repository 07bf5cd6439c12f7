"""The one place that says what time it is (tz-aware, UTC), so tests can pin it."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
