"""Which currency codes are money in use today: ISO 4217 codes that some territory tenders.

Why not just the ``[A-Z]{3}`` shape: "ABC" or the Soviet rouble "SUR" have the shape, and an
amount in them cannot be charged, insured or converted. The list is CLDR's territory→currency
data (Unicode Common Locale Data Repository, shipped with Babel), the public source the
translations already rely on; it follows ISO 4217 with the dates each currency was legal tender.
"""

from __future__ import annotations

import functools
from datetime import date

from babel.core import get_global
from babel.numbers import get_territory_currencies


@functools.cache
def currencies_in_use(on: date) -> frozenset[str]:
    """Every currency some territory tenders on ``on`` (CLDR via Babel)."""
    found: set[str] = set()
    for territory in get_global("territory_currencies"):
        found.update(get_territory_currencies(territory, start_date=on, tender=True))
    return frozenset(found)


def is_currency_in_use(code: str, on: date | None = None) -> bool:
    """Whether ``code`` is an ISO 4217 currency tendered somewhere on ``on`` (default: today)."""
    return code in currencies_in_use(on or date.today())
