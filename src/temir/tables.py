"""Every table of Temir, imported once so that metadata (and Alembic) sees them all.

A new capability adds its ``tables`` module here.
"""

from temir.accounts import tables as accounts_tables
from temir.exchange import tables as exchange_tables
from temir.kit import tables as kit_tables
from temir.kit.db import Base
from temir.network import tables as network_tables
from temir.notes.store import tables as notes_tables
from temir.signing import tables as signing_tables
from temir.stats import tables as stats_tables
from temir.tariff import tables as tariff_tables
from temir.tracking import tables as tracking_tables
from temir.webhooks import tables as webhooks_tables

metadata = Base.metadata

__all__ = [
    "accounts_tables",
    "exchange_tables",
    "kit_tables",
    "metadata",
    "network_tables",
    "notes_tables",
    "signing_tables",
    "stats_tables",
    "tariff_tables",
    "tracking_tables",
    "webhooks_tables",
]
