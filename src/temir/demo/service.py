"""``temir demo``: fill a database with synthetic, clearly labelled demo data, idempotently.

Each capability contributes a *step*: a function ``(session, actor, seed, console) ->
StepSummary`` registered with :func:`step`; its module is listed in :data:`STEP_MODULES`
(one line per capability, in the order the data depends on each other — organisations and
users first). Every step runs in its own unit of work, so an interrupted run (Ctrl-C, an
error) keeps the steps already done and loses only the current one, and a re-run picks up
where it stopped. A step must create only what is missing and report what it found, so
running ``temir demo`` twice creates nothing new.

Everything is derived from ``seed``: the same seed gives the same data (and the same demo
passwords) on every machine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork
from temir.kit.errors import Problem, ValidationFailed
from temir.kit.i18n import N_, translate

DEFAULT_SEED = 1520  # the gauge, in mm

STEP_MODULES: tuple[str, ...] = (
    "temir.demo.accounts",
    "temir.demo.notes",
    "temir.demo.tracking",
    "temir.demo.stats",
)


@dataclass
class DemoTable:
    """Rows a step wants shown to whoever ran the demo (e.g. the demo log-ins)."""

    title: str  # English msgid
    columns: list[str]  # English msgids, also the keys in --json output
    rows: list[list[str]] = field(default_factory=list)
    translated_columns: tuple[str, ...] = ("status",)  # cells that are msgids, not data

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
        }


@dataclass
class StepSummary:
    step: str
    created: int = 0
    existing: int = 0
    notes: list[Problem] = field(default_factory=list)  # warnings for whoever ran the demo
    tables: list[DemoTable] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "created": self.created,
            "existing": self.existing,
            "notes": [note.to_dict() for note in self.notes],
            "tables": [t.to_dict() for t in self.tables],
        }


@dataclass(frozen=True)
class DemoContext:
    """What every step gets besides the session and the actor."""

    seed: int
    console: Console
    secret_key: str  # the installation secret that seals organisations' signing keys


StepFunction = Callable[[Session, Actor, DemoContext], StepSummary]


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: StepFunction


STEPS: list[Step] = []


def step(name: str, title: str) -> Callable[[StepFunction], StepFunction]:
    """Register a demo step (a decorator); registering the same name twice keeps the first."""

    def decorate(function: StepFunction) -> StepFunction:
        if all(existing.name != name for existing in STEPS):
            STEPS.append(Step(name, title, function))
        return function

    return decorate


def steps() -> list[Step]:
    """Every registered step, in the order of :data:`STEP_MODULES`."""
    for module in STEP_MODULES:
        importlib.import_module(module)
    return list(STEPS)


def run(
    uow: UnitOfWork,
    actor: Actor,
    *,
    seed: int = DEFAULT_SEED,
    console: Console,
    only: list[str] | None = None,
    lang: str = "en",
    secret_key: str | None = None,
) -> list[StepSummary]:
    """Run the steps (all, or those named in ``only``), each in its own unit of work.

    ``secret_key`` must be the secret of the installation that will use the data (keys sealed
    under another secret cannot sign there); by default, this process's settings.
    """
    if secret_key is None:
        from temir.kit import runtime

        secret_key = runtime.secret_key()
    context = DemoContext(seed=seed, console=console, secret_key=secret_key)
    chosen = [s for s in steps() if only is None or s.name in only]
    unknown = sorted(set(only or ()) - {s.name for s in STEPS})
    if unknown:
        raise ValidationFailed(
            N_("Unknown demo step {names}; the steps are: {choices}."),
            code="unknown_demo_step",
            field="only",
            names=", ".join(unknown),
            choices=", ".join(s.name for s in STEPS),
        )
    summaries: list[StepSummary] = []
    for number, current in enumerate(chosen, start=1):
        title = translate(current.title, lang)
        with console.status(f"[{number}/{len(chosen)}] {title}…"), uow() as session:
            summary = current.run(session, actor, context)
        state = translate(
            N_("{created} created, {existing} already there"),
            lang,
            created=summary.created,
            existing=summary.existing,
        )
        console.print(f"[green]✓[/] [{number}/{len(chosen)}] {title}: {state}")
        summaries.append(summary)
    return summaries
