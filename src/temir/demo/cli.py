"""``temir demo``: load the synthetic demo data and print the demo log-ins."""

from __future__ import annotations

import typer
from rich.panel import Panel
from rich.table import Table

from temir.accounts.cli import os_user
from temir.accounts.model import Actor, Channel
from temir.demo import accounts as demo_accounts
from temir.demo import service
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, err_console, language, print_json, user_errors
from temir.kit.i18n import N_, translate

SYNTHETIC_WARNING = N_(
    "These are synthetic demo accounts with demo data: not real organisations, people or "
    "shipments. Anyone who knows the seed can derive the passwords; never run the demo on a "
    "production database."
)
NOTHING_NEW = N_("Nothing new was created: the demo data was already there.")
DEMO = N_("demo")
NOTE = N_("note")


def demo(
    seed: int = typer.Option(
        service.DEFAULT_SEED, "--seed", help="Same seed, same data and passwords."
    ),
    password: str | None = typer.Option(
        None,
        "--password",
        envvar=demo_accounts.SHARED_PASSWORD_ENV,
        help="One password for every new demo user, instead of one derived from the seed.",
    ),
    only: list[str] | None = typer.Option(None, "--only", help="Run only these steps."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the synthetic demo organisations, users and data (idempotent: safe to re-run)."""
    lang = language()
    demo_accounts.use_shared_password(password)
    progress = err_console if as_json else console
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json):
        summaries = service.run(
            runtime.uow(), actor, seed=seed, console=progress, only=only, lang=lang
        )
    created = sum(s.created for s in summaries)
    if as_json:
        print_json(
            {
                "seed": seed,
                "synthetic": True,
                "created": created,
                "steps": [s.to_dict() for s in summaries],
            }
        )
        return
    for summary in summaries:
        for note in summary.notes:
            console.print(f"[yellow]{translate(NOTE, lang)}[/] {note.message(lang)}")
        for data in summary.tables:
            table = Table(title=translate(data.title, lang))
            for column in data.columns:  # a log-in must never be cut short
                table.add_column(
                    translate(column, lang),
                    overflow="fold",
                    no_wrap=column in ("username", "password"),
                )
            for row in data.rows:
                table.add_row(
                    *(
                        translate(cell, lang) if column in data.translated_columns else cell
                        for column, cell in zip(data.columns, row, strict=True)
                    )
                )
            console.print(table)
    console.print(
        Panel(
            translate(SYNTHETIC_WARNING, lang), title=translate(DEMO, lang), border_style="magenta"
        )
    )
    if created == 0:
        console.print(translate(NOTHING_NEW, lang))
