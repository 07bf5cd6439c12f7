"""``temir peers add|list|remove`` and ``temir exchange init|identity|status|retry|worker|
holding|offer|accept|dispute|demo``.

Writes are attributed to ``--as USERNAME`` or to ``system:cli:<os user>`` acting as an
administrator (peers, retry, init are administrators' business).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor
from temir.exchange import handover, holdings, service
from temir.exchange.model import PeerKey
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, read_file, user_errors
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.kit.messages import define

peers_app = typer.Typer(no_args_is_help=True, help="Peer nodes of the exchange: add, list, remove.")
app = typer.Typer(no_args_is_help=True, help="Exchange between railway nodes.")

CANNOT_READ = define("exchange", N_("Cannot read the keys file {name}."))
CANNOT_FETCH = define("exchange", N_("Cannot fetch the identity of {url}: {detail}"))
NEED_KEYS = define("exchange", N_("Give the peer's keys: --fetch or --keys FILE."))


def _table(*columns: str) -> Table:
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _render_peers(peers: list[dict[str, Any]]) -> None:
    table = _table("railway", "base URL", "kinds", "keys (valid from → until)")
    for p in peers:
        keys = "\n".join(
            f"{k['key_id']} {k['valid_from'][:19]} → {(k.get('valid_until') or '')[:19]}"
            for k in p["keys"]
        )
        table.add_row(p["railway"], p["base_url"], ", ".join(p["kinds"]), keys)
    console.print(table)


def _keys(railway: str, url: str, fetch: bool, keys_file: Path | None) -> list[PeerKey]:
    if keys_file is not None:
        raw = read_file(keys_file)
        try:
            data = json.loads(raw or b"")
        except ValueError:
            data = None
        if data is None:
            raise ValidationFailed(
                CANNOT_READ, code="exchange.keys_file", field="keys", name=str(keys_file)
            )
        return service.identity_keys(data, railway, url)
    if fetch:
        try:
            answer = httpx.get(url.rstrip("/") + "/api/v1/exchange/identity", timeout=10)
            data = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ValidationFailed(
                CANNOT_FETCH,
                code="exchange.fetch",
                field="base_url",
                url=url,
                detail=type(exc).__name__,
            ) from None
        return service.identity_keys(data, railway, url)
    return []


@peers_app.command("add")
def peers_add(
    railway: str = typer.Argument(..., help="The peer's railway (KZH, UTI, TDZ, ...)."),
    base_url: str = typer.Argument(..., help="Where its node listens, e.g. http://10.0.0.2:8000"),
    fetch: bool = typer.Option(False, "--fetch", help="Read its keys from its identity URL."),
    keys_file: Path | None = typer.Option(None, "--keys", help="Its identity JSON file."),
    kinds: str | None = typer.Option(
        None, help="Envelope kinds it may send (comma-separated; default all)."
    ),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a peer node, or update it (a new URL, kinds, or keys after its key rotation)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        keys = _keys(railway, base_url, fetch, keys_file)
        chosen = [k for k in kinds.split(",") if k.strip()] if kinds else None
        with runtime.uow()() as session:
            if not keys and not service.has_peer(session, railway):
                raise ValidationFailed(NEED_KEYS, code="exchange.no_keys", field="keys")
            peer = service.add_peer(session, actor, railway, base_url, keys, chosen).to_dict()
    emit(peer, as_json, lambda p: _render_peers([p]))


@peers_app.command("list")
def peers_list(as_json: bool = JSON_OPTION) -> None:
    """Peer nodes with their keys and the kinds they may send."""
    with user_errors(as_json), runtime.uow().read() as session:
        peers = [p.to_dict() for p in service.list_peers(session)]
    emit(peers, as_json, _render_peers)


@peers_app.command("remove")
def peers_remove(
    railway: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Forget a peer: nothing more is sent to it or accepted from it."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            peer = service.remove_peer(session, actor, railway).to_dict()
    emit(peer, as_json, lambda p: _render_peers([p]))


@app.command("init")
def init(
    railway: str = typer.Argument(..., help="The railway this node is (KZH, UTI, TDZ, ...)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Make this installation the node of a railway (its organisation and signing key)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            found = service.init_node(session, actor, railway, runtime.secret_key())
    emit(found, as_json, lambda d: console.print_json(json.dumps(d)))


@app.command("identity")
def identity(as_json: bool = JSON_OPTION) -> None:
    """This node's railway and public keys (give it to peers: `temir peers add --keys`)."""
    with user_errors(as_json), runtime.uow().read() as session:
        found = service.identity(session)
    emit(found, as_json, lambda d: console.print_json(json.dumps(d)))


def _render_status(data: dict[str, Any]) -> None:
    console.print(f"node: {data['node'] or '-'}")
    table = _table("peer", "queue", "oldest pending", "last success", "last error", "waiting")
    for s in data["links"]:
        table.add_row(
            s["peer"],
            str(s["queue_depth"]),
            (s["oldest_pending_at"] or "")[:19],
            (s["last_success_at"] or "")[:19],
            f"{(s['last_error_at'] or '')[:19]} {s['last_error'] or ''}".strip(),
            str(s["waiting_in_inbox"]),
        )
    console.print(table)


@app.command("status")
def status(as_json: bool = JSON_OPTION) -> None:
    """Per link: queue depth, oldest pending, last success, last error, waiting in the inbox."""
    with user_errors(as_json), runtime.uow().read() as session:
        found = service.status(session)
    emit(found, as_json, _render_status)


@app.command("retry")
def retry(
    peer: str | None = typer.Argument(None, help="One peer (default: all)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send every undelivered envelope now (the backoff is forgotten)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            count = service.retry(session, actor, peer)
    emit({"rescheduled": count}, as_json, lambda d: console.print(f"{d['rescheduled']}"))


@app.command("worker")
def worker(
    once: bool = typer.Option(False, "--once", help="One round, then exit."),
    interval: float = typer.Option(0.5, help="Seconds between rounds when idle."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Deliver envelopes to peers until stopped (Ctrl-C), with retries and backoff."""
    from temir.exchange import worker as delivery

    with user_errors(as_json):
        uow, secret = runtime.uow(), runtime.secret_key()
        if once:
            with httpx.Client() as client:
                done = delivery.deliver_once(uow, secret, client)
            emit(done.__dict__, as_json, lambda d: console.print(d))
            return
        stop = threading.Event()
        try:
            delivery.run(uow, secret, stop, interval=interval)
        except KeyboardInterrupt:
            stop.set()


@app.command("holding")
def holding(note_id: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """What this node holds of a note: versions, signatures, events, acts, custody."""
    with user_errors(as_json), runtime.uow().read() as session:
        found = holdings.holding(session, note_id)
    emit(found, as_json, lambda d: console.print_json(json.dumps(d)))


@app.command("offer")
def offer(
    note_id: str = typer.Argument(...), as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Hand a note received from a peer on to the next carrier (signed by this node)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            found = handover.offer(session, actor, note_id, secret=runtime.secret_key())
    emit(found, as_json, lambda d: console.print(d["act_id"]))


@app.command("accept")
def accept(
    act_id: str = typer.Argument(...), as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Accept a handover act offered to this node by a peer (signed by this node)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            found = handover.accept(session, actor, act_id, secret=runtime.secret_key())
    emit(found, as_json, lambda d: console.print(d["document"]["status"]))


@app.command("dispute")
def dispute(
    act_id: str = typer.Argument(...),
    discrepancy: list[str] = typer.Option(
        ...,
        "--discrepancy",
        help="KIND:UNIT[:EXPECTED[:FOUND]], e.g. seal_broken:95120341:КЗХ 0341-1:none.",
    ),
    commercial_act: str | None = typer.Option(None, "--commercial-act", help="Box 31 number."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Dispute a handover act offered to this node by a peer (signed by this node)."""
    from temir.tracking.cli import _discrepancy

    with user_errors(as_json):
        actor = cli_actor(as_user)
        found = [_discrepancy(d) for d in discrepancy]
        with runtime.uow()() as session:
            done = handover.dispute(
                session,
                actor,
                act_id,
                secret=runtime.secret_key(),
                discrepancies=found,
                commercial_act=commercial_act,
            )
    emit(done, as_json, lambda d: console.print(d["document"]["status"]))


@app.command("demo")
def demo(
    base_port: int = typer.Option(8801, help="KZH listens here, UTI on +1, TDZ on +2."),
    home: Path = typer.Option(Path("var/exchange-demo"), help="Where the three nodes live."),
    keep: bool = typer.Option(False, help="Keep the nodes running after the demo."),
) -> None:
    """Three local nodes (KZH, UTI, TDZ) with their own databases, peers configured, and a
    note Kostanay → Dushanbe II driven through two handovers over the wire."""
    from temir.exchange.demo import run as run_demo

    run_demo(home, base_port, keep=keep, say=console.print)
