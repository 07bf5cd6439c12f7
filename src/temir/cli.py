"""The ``temir`` command: one Typer root, each capability adds its own commands."""

from __future__ import annotations

import typer

from temir import __version__

app = typer.Typer(
    name="temir",
    help="Temir: interstate rail freight on the 1520 mm railways of Central Asia.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
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
) -> None:
    """Run the web app and API (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from temir.kit import runtime
    from temir.kit.cli import user_errors

    s = runtime.settings()
    with user_errors():
        runtime.check_up_to_date(runtime.engine())
    uvicorn.run(
        "temir.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        reload=reload,
        proxy_headers=False,
        timeout_keep_alive=s.keep_alive,  # longer than clients': see kit.settings
    )


def _register() -> None:
    from temir.accounts import cli as accounts_cli
    from temir.demo import cli as demo_cli
    from temir.kit import db_cli

    app.add_typer(db_cli.app, name="db", help="Database: migrate, check.")
    app.add_typer(accounts_cli.users_app, name="users", help="Users: create, list.")
    app.add_typer(accounts_cli.orgs_app, name="orgs", help="Organisations: create, list.")
    app.add_typer(accounts_cli.tokens_app, name="tokens", help="API tokens: create, list, revoke.")
    app.add_typer(accounts_cli.audit_app, name="audit", help="Audit log: verify its hash chain.")
    app.command("demo")(demo_cli.demo)
    from temir.stats import cli as stats_cli

    app.add_typer(stats_cli.app, name="stats", help="Freight statistics: volumes, import, demo.")

    from temir.codes import cli as codes_cli
    from temir.network import cli as network_cli

    app.add_typer(network_cli.ref_app, name="ref", help="Reference data: load, update.")
    app.add_typer(network_cli.app, name="stations", help="Stations: search, show.")
    app.add_typer(codes_cli.app, name="codes", help="Check codes: ESR, ETSNG, GNG, wagon, …")

    from temir.network.routes import cli as routes_cli
    from temir.tariff import cli as tariff_cli

    app.command("route")(routes_cli.route)
    app.command("quote")(tariff_cli.quote)
    app.add_typer(tariff_cli.app, name="tariff", help="Tariff: rate tables, data quality.")

    from temir.notes import cli as notes_cli
    from temir.notes.paper import cli as notes_paper_cli
    from temir.notes.store import cli as notes_store_cli

    notes = typer.Typer(no_args_is_help=True)
    for part in (notes_cli.app, notes_store_cli.app, notes_paper_cli.app):
        notes.add_typer(part)  # no name: the commands sit directly under ``temir notes``
    app.add_typer(notes, name="notes", help="SMGS consignment notes.")

    from temir.signing import cli as signing_cli

    app.add_typer(signing_cli.app, name="keys", help="Organisation signing keys.")


_register()


def main() -> None:
    """Run the CLI; an error a command did not catch is still printed as an error, not a trace."""
    import sys

    from temir.kit.cli import fail
    from temir.kit.errors import TemirError

    try:
        app()
    except TemirError as error:
        try:
            fail(error)
        except typer.Exit as exit_:
            sys.exit(exit_.exit_code)


if __name__ == "__main__":
    main()
