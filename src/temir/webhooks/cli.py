"""``temir webhooks add|list|remove|deliveries|redeliver|test|keys|worker``.

Writes are attributed to ``--as USERNAME`` (whose organisation subscribes), or to
``system:cli:<os user>`` acting as an administrator, who names the organisation (``--org``).
``worker`` delivers until stopped (Ctrl-C), or one round with ``--once``; ``temir serve`` runs
the same worker in its own process unless ``TEMIR_WEBHOOK_WORKER=0``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, language, user_errors
from temir.kit.i18n import N_, translate
from temir.webhooks import delivery, service
from temir.webhooks.delivery import WorkerConfig
from temir.webhooks.model import Delivery, Outcome, Subscription

app = typer.Typer(
    no_args_is_help=True,
    help="Webhooks: subscribe a URL to your notes' events; the delivery log; the worker.",
)

SECRET_ONCE = N_("Secret of the HMAC signature (shown once; give it to the receiver): {secret}")
REMOVED = N_("Removed: no more deliveries to {url}.")
QUEUED = N_("Queued again: delivery {id}.")
WORKER_STARTED = N_("Delivering webhooks every {interval} s; Ctrl-C stops.")
NO_SUBSCRIPTIONS = N_("No webhook subscriptions.")
NO_DELIVERIES = N_("No deliveries yet.")


def _(msgid: str, **params: Any) -> str:  # the gettext name: its texts are extracted
    return translate(msgid, language(), **params)


def _subscriptions(found: list[Subscription]) -> None:
    if not found:
        console.print(_(NO_SUBSCRIPTIONS))
        return
    table = Table()
    for column in ("id", _("organisation"), "URL", _("events"), _("deliveries")):
        table.add_column(column, overflow="fold")
    for s in found:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s.counts.items()))
        table.add_row(s.id, s.organisation, escape(s.url), ",".join(s.events), counts)
    console.print(table)


@app.command("add")
def add(
    url: str = typer.Argument(..., help="Where to POST: http:// or https://, no credentials."),
    events: str = typer.Option("*", "--events", help="tracking.event,handover.*,note.*, or *."),
    secret: str | None = typer.Option(None, "--secret", help="Default: a new random one."),
    description: str = typer.Option("", "--description"),
    organisation: str | None = typer.Option(None, "--org", help="Administrators: whose."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Subscribe a URL to the events of your organisation's notes."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            sub, shared = service.create(
                session, actor, url=url, events=events.split(","), secret=secret,
                description=description, organisation=organisation,
            )  # fmt: skip

    def show(_data: Any) -> None:
        _subscriptions([sub])
        console.print(_(SECRET_ONCE, secret=shared))

    emit({**sub.to_dict(), "secret": shared}, as_json, show)


@app.command("list")
def list_(
    organisation: str | None = typer.Option(None, "--org"),
    removed: bool = typer.Option(False, "--removed", help="Include removed subscriptions."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Your organisation's subscriptions, with their deliveries by status."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            found = service.list_subscriptions(session, actor, organisation, removed=removed)
    emit([s.to_dict() for s in found], as_json, lambda _d: _subscriptions(found))


@app.command("remove")
def remove(
    subscription_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stop sending to a subscription (its delivery log stays)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            sub = service.remove(session, actor, subscription_id)
    emit(sub.to_dict(), as_json, lambda _d: console.print(_(REMOVED, url=escape(sub.url))))


def _deliveries(found: list[Delivery]) -> None:
    if not found:
        console.print(_(NO_DELIVERIES))
        return
    table = Table()
    for column in ("id", _("event"), _("status"), _("attempts"), "HTTP", _("latency, ms"),
                   _("error")):  # fmt: skip
        table.add_column(column, overflow="fold")
    for d in found:
        last = d.log[-1] if d.log else None
        table.add_row(
            d.id, d.event_type, str(d.status), str(d.attempts),
            "" if d.last_status_code is None else str(d.last_status_code),
            "" if last is None else str(last.latency_ms), escape(d.last_error or ""),
        )  # fmt: skip
    console.print(table)


@app.command("deliveries")
def deliveries(
    subscription_id: str = typer.Argument(...),
    status: str | None = typer.Option(None, "--status", help="pending, delivered or failed."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The delivery log of a subscription: each delivery with every attempt."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            found = service.deliveries(session, actor, subscription_id, status=status,
                                       limit=limit)  # fmt: skip
    emit([d.to_dict() for d in found], as_json, lambda _d: _deliveries(found))


@app.command("redeliver")
def redeliver(
    delivery_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Queue a failed (or delivered) delivery again, with the same delivery id."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            found = service.redeliver(session, actor, delivery_id)
    emit(found.to_dict(), as_json, lambda _d: console.print(_(QUEUED, id=found.id)))


def _outcome(o: Outcome) -> None:
    code = "-" if o.status_code is None else str(o.status_code)
    console.print(f"{o.delivery_id} #{o.attempt}: {o.status} HTTP {code} {o.latency_ms} ms "
                  f"{escape(o.error or '')}")  # fmt: skip


@app.command("test")
def send_test(
    subscription_id: str = typer.Argument(...),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a signed webhook.test now and print what the receiver answered."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        outcome = delivery.send_test(runtime.uow(), actor, subscription_id, runtime.secret_key())
    emit(outcome.to_dict(), as_json, lambda _d: _outcome(outcome))


@app.command("keys")
def keys(as_json: bool = JSON_OPTION) -> None:
    """The node's public keys that sign webhooks (Temir-Key-Id)."""
    with user_errors(as_json), runtime.uow().read() as session:
        found = service.public_keys(session)

    def show(_data: Any) -> None:
        for k in found:
            console.print(f"{k['key_id']}  {k['public_key']}")

    emit(found, as_json, show)


@app.command("worker")
def worker(
    once: bool = typer.Option(False, "--once", help="One round of due deliveries, then exit."),
    interval: float = typer.Option(2.0, "--interval", min=0.1, help="Seconds between rounds."),
    max_attempts: int = typer.Option(8, "--max-attempts", min=1, max=50),
    as_json: bool = JSON_OPTION,
) -> None:
    """Deliver due webhooks: POST, retry with backoff, log each attempt."""
    config = WorkerConfig(max_attempts=max_attempts, interval=interval)
    with user_errors(as_json):
        uow, secret = runtime.uow(), runtime.secret_key()
        if once:
            outcomes = delivery.run_once(uow, secret, config)

            def show(_data: Any) -> None:
                for o in outcomes:
                    _outcome(o)

            emit([o.to_dict() for o in outcomes], as_json, show)
            return
        if not as_json:
            console.print(_(WORKER_STARTED, interval=interval))

        def report(o: Outcome) -> None:
            if as_json:
                sys.stdout.write(json.dumps(o.to_dict()) + "\n")
                sys.stdout.flush()
            else:
                _outcome(o)

        running = delivery.Worker(uow, secret, config, on_outcome=report)
        running.start()
        try:
            while running.is_alive():
                running.join(0.5)
        except KeyboardInterrupt:
            running.stop()
