"""The ``temir`` command: one Typer root, each capability adds its own commands."""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click  # Typer's own Click, the one its group classes extend
from typer.core import TyperCommand, TyperGroup

from temir import __version__


@dataclass(frozen=True)
class Lazy:
    """A command imported only when it runs: ``module:attribute`` (a Typer app or a function).

    ``help`` is what ``temir --help`` lists for it, so listing needs no import;
    ``tests/test_cli.py`` checks it equals the loaded command's own help line.
    """

    target: str
    help: str
    parts: tuple[str, ...] = ()  # more Typer apps whose commands sit beside target's


# In the order ``temir --help`` lists them (after version and serve).
LAZY: dict[str, Lazy] = {
    "demo": Lazy(
        "temir.demo.cli:demo",
        "Create the synthetic demo organisations, users and data (idempotent: safe to re-run).",
    ),
    "route": Lazy(
        "temir.network.routes.cli:route",
        "Routes between two stations with tariff km per railway, or a batch file (--pairs).",
    ),
    "quote": Lazy(
        "temir.tariff.cli:quote",
        "Quote: alternatives with km, delivery days and the charge in CHF, line by line.",
    ),
    "db": Lazy("temir.db_cli:app", "Database: migrate, check."),
    "users": Lazy("temir.accounts.cli:users_app", "Users: create, list."),
    "orgs": Lazy("temir.accounts.cli:orgs_app", "Organisations: create, list."),
    "tokens": Lazy("temir.accounts.cli:tokens_app", "API tokens: create, list, revoke."),
    "audit": Lazy("temir.accounts.cli:audit_app", "Audit log: verify its hash chain."),
    "stats": Lazy("temir.stats.cli:app", "Freight statistics: volumes, import, demo."),
    "ref": Lazy("temir.network.cli:ref_app", "Reference data: load, update."),
    "stations": Lazy("temir.network.cli:app", "Stations: search, show."),
    "codes": Lazy("temir.codes.cli:app", "Check codes: ESR, ETSNG, GNG, wagon, …"),
    "tariff": Lazy("temir.tariff.cli:app", "Tariff: rate tables, data quality."),
    "notes": Lazy(
        "temir.notes.cli:app",
        "SMGS consignment notes.",
        parts=("temir.notes.store.cli:app", "temir.notes.paper.cli:app"),
    ),
    "keys": Lazy("temir.signing.cli:app", "Organisation signing keys."),
    "track": Lazy(
        "temir.tracking.cli:track",
        "Where a wagon, container or note is, who has it, when it will arrive.",
    ),
    "events": Lazy("temir.tracking.cli:events_app", "Tracking events: import."),
    "handover": Lazy("temir.tracking.cli:handover_app", "Handover acts at borders."),
    "webhooks": Lazy(
        "temir.webhooks.cli:app",
        "Webhooks: subscribe a URL to your notes' events; the delivery log; the worker.",
    ),
    "peers": Lazy("temir.exchange.cli:peers_app", "Peer nodes of the exchange: add, list, remove."),
    "exchange": Lazy("temir.exchange.cli:app", "Exchange between railway nodes."),
}


def _attribute(target: str) -> Any:
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)


@functools.cache
def load(name: str) -> click.Command:
    """The real Click command behind ``LAZY[name]`` (imports its module, once)."""
    from temir import wiring

    wiring.install()  # what a command writes reaches exchange's and webhooks' outboxes
    entry = LAZY[name]
    found = _attribute(entry.target)
    if entry.parts:
        joined = typer.Typer(no_args_is_help=True)
        for target in (entry.target, *entry.parts):
            joined.add_typer(_attribute(target))  # no name: the commands sit directly under it
        found = joined
    command: click.Command
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)  # a group even with one sub-command (ref load)
        command.help = entry.help  # as add_typer(help=...) did: the root's line wins
    else:
        single = typer.Typer(rich_markup_mode="rich")
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: lists every command from :data:`LAZY` and imports one only to run it.

    Why: importing every capability's CLI (SQLAlchemy, Alembic, pydantic models, the tariff
    data) made ``temir --help`` take 2–4 s. Listing uses placeholders carrying the help line;
    resolving a command to run it — ``temir X ...`` and ``temir X --help`` — loads the real one.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY:
            return found
        return TyperCommand(cmd_name, help=LAZY[cmd_name].help)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in LAZY:
            command = load(name)
        return name, command, rest


app = typer.Typer(
    name="temir",
    help="Temir: interstate rail freight on the 1520 mm railways of Central Asia.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=LazyGroup,
)


@app.command()
def version() -> None:
    """Print Temir's version."""
    typer.echo(__version__)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (TEMIR_HOST)."),
    port: int | None = typer.Option(None, help="Port (TEMIR_PORT)."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
    workers: int | None = typer.Option(
        None, help="Worker processes (TEMIR_WORKERS, default 1); each has its own threads and pool."
    ),
    access_log: bool = typer.Option(
        False, help="Log every request (off: the proxy in front usually logs them)."
    ),
    webhook_worker: bool = typer.Option(
        True, help="Deliver webhooks from this process too (TEMIR_WEBHOOK_WORKER=0: off)."
    ),
) -> None:
    """Run the web app and API (http://127.0.0.1:8000 by default)."""
    import os

    import uvicorn

    if not webhook_worker:
        os.environ["TEMIR_WEBHOOK_WORKER"] = "0"  # read by the app factory uvicorn starts

    from temir.kit import runtime
    from temir.kit.cli import user_errors

    s = runtime.settings()
    with user_errors():
        runtime.check_up_to_date(runtime.engine())
    options: dict[str, Any] = dict(
        factory=True,
        host=host or s.host,
        port=port or s.port,
        reload=reload,
        workers=None if reload else (workers or s.workers),
        access_log=access_log,
        proxy_headers=False,
        timeout_keep_alive=s.keep_alive,  # longer than clients': see kit.settings
        # uvicorn restarts a worker that does not answer its health check in time (5 s by
        # default), cutting every connection it holds; a worker busy with 40 threads on a
        # loaded machine can take longer than that to answer without being stuck.
        timeout_worker_healthcheck=30,
    )
    from temir import serving

    if not reload and (options["workers"] or 1) > 1 and serving.shares_port():
        serving.run_workers(uvicorn.Config("temir.app:create_app", **options))
    else:
        uvicorn.run("temir.app:create_app", **options)


def main() -> None:
    """Run the CLI; an error a command did not catch is still printed as an error, not a trace."""
    import sys

    try:
        app()
    except Exception as error:
        from temir.kit.errors import TemirError  # imported here: `temir --help` stays light

        if not isinstance(error, TemirError):
            raise
        from temir.kit.cli import fail

        try:
            fail(error)
        except typer.Exit as exit_:
            sys.exit(exit_.exit_code)


if __name__ == "__main__":
    main()
