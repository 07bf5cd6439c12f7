"""``temir keys list|rotate``: organisation signing keys.

Writes are attributed to ``--as USERNAME`` (whose role and organisation then decide what is
allowed), or to ``system:cli:<os user>`` acting as an administrator.
"""

from __future__ import annotations

import typer
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, user_errors
from temir.signing import service
from temir.signing.model import KeyInfo

app = typer.Typer(no_args_is_help=True, help="Organisation signing keys: list, rotate.")


def _table(*columns: str, title: str | None = None) -> Table:
    """Wrap rather than cut: ids and keys must be read (and copied) in full."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _render_keys(keys: list[KeyInfo]) -> None:
    table = _table("key id", "organisation", "created", "retired", "public key (base64)")
    for k in keys:
        table.add_row(
            k.key_id,
            k.organisation,
            k.created_at.isoformat(timespec="seconds"),
            k.retired_at.isoformat(timespec="seconds") if k.retired_at else "",
            k.public_key,
        )
    console.print(table)


@app.command("list")
def keys_list(
    organisation: str | None = typer.Argument(None, help="Organisation slug (default: all)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Public signing keys of organisations, retired ones included."""
    with user_errors(as_json), runtime.uow().read() as session:
        keys = service.list_keys(session, organisation)
    emit([k.to_dict() for k in keys], as_json, lambda _: _render_keys(keys))


@app.command("rotate")
def keys_rotate(
    organisation: str = typer.Argument(..., help="Organisation slug."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a new key for the organisation; the old one is retired but still verifies."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        secret = runtime.secret_key()
        with runtime.uow()() as session:
            key = service.rotate_key(session, actor, organisation, secret)
    emit(key.to_dict(), as_json, lambda _: _render_keys([key]))
