"""What the OpenAPI schema declares about a parameter that the product's own rules enforce.

Why not let FastAPI enforce it: a station code of letters is answered by the ESR rule
(``esr.not_digits``, translated, naming the box or field), an unknown language by the list of
languages there are — errors a user can act on, with the same code in the API, the CLI and the
pages. FastAPI's own validation would answer ``invalid_request`` with pydantic's English
instead. So the rule stays where it is, and the contract only *declares* it (``enum``,
``pattern``): a client generating requests from the schema then sends what the rules accept,
and the contract test checks that a schema-valid request is never refused as malformed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Six digits, the last a check digit the ESR rule verifies (a pattern cannot).
ESR = r"^[0-9]{6}$"
#: Six digits, the last a check digit (ETSNG cargo codes).
ETSNG = r"^[0-9]{6}$"
#: Two ISO 3166 country codes, e.g. ``KZ,TJ`` (or separated by a space).
COUNTRY_PAIR = r"^[A-Za-z]{2}[, ][A-Za-z]{2}$"


def declared(*, enum: Iterable[str] | None = None, pattern: str | None = None) -> dict[str, Any]:
    """``json_schema_extra`` for a parameter or field whose rule the service applies."""
    extra: dict[str, Any] = {}
    if enum is not None:
        extra["enum"] = list(enum)
    if pattern is not None:
        extra["pattern"] = pattern
    return extra
