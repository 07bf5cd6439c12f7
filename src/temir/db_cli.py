"""``temir db``: migrate the database (and load the reference data it needs)."""

from __future__ import annotations

import typer

from temir.kit import migrate, runtime
from temir.kit.cli import console, user_errors

app = typer.Typer(no_args_is_help=True)


@app.command()
def upgrade(
    revision: str = typer.Argument("head", help="Alembic revision to upgrade to."),
    with_reference: bool = typer.Option(
        True, "--reference/--no-reference", help="Load the shipped reference data afterwards."
    ),
) -> None:
    """Apply migrations, then load the shipped reference data (idempotent)."""
    engine = runtime.engine(create=True)
    migrate.upgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current(engine)}[/]")
    if with_reference:
        from temir.network.cli import load_reference

        load_reference()


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Alembic revision, e.g. -1.")) -> None:
    """Step migrations back (development)."""
    with user_errors():
        engine = runtime.engine()
    migrate.downgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current(engine)}[/]")


@app.command()
def current() -> None:
    """Print the current migration revision."""
    with user_errors():
        eng = runtime.engine()
    console.print(migrate.current(eng) or "(empty)")


@app.command()
def revision(
    message: str = typer.Argument(..., help="What the migration does."),
    rev_id: str = typer.Option(..., "--rev-id", help="Revision id, e.g. 0003."),
) -> None:
    """(Developers) autogenerate a migration from the table definitions."""
    import tempfile
    from pathlib import Path

    from alembic import command

    from temir.kit.db import make_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'autogen.sqlite3'}")
        migrate.upgrade(engine)
        command.revision(
            migrate.alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id
        )
        engine.dispose()
    console.print("written; run [bold]ruff format src[/] and read it before committing")
