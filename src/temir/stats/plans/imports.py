"""Validation of entered and imported plans, row by row and column by column. Pure.

A plan file is accepted whole or not at all, like a file of facts
(:mod:`temir.stats.volumes.imports`): :func:`parse_plan_rows` returns every cell, or raises
:class:`ValidationFailed` naming each bad row and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from temir.kit.errors import Problem, ValidationFailed
from temir.kit.i18n import N_
from temir.stats.plans.model import Basis, PlanCell
from temir.stats.volumes.model import Direction

PLAN_COLUMNS = ("year", "country_a", "country_b", "direction", "commodity_group", "month", "tonnes")
MAX_PROBLEMS = 50

_COUNTRY = re.compile(r"^[A-Z]{2}$")
DIRECTIONS = tuple(str(d) for d in Direction)
MAX_TONNES = 10**12
"""A plan cell's upper bound: far above any lane's year, below what a column stores."""


def _where(row: int, column: str) -> str:
    return f"row {row}, column {column}"


def check_header(columns: Iterable[str]) -> None:
    present = {c.strip() for c in columns if c}
    for column in PLAN_COLUMNS:
        if column not in present:
            raise ValidationFailed(
                N_("The file has no column {column}."),
                code="stats.plan.missing_column",
                field=f"row 1, column {column}",
                column=column,
            )


def _integer(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = "" if raw is None else str(raw).strip().replace(" ", "").replace("\u00a0", "")
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def parse_plan_row(
    number: int, values: Mapping[str, Any], groups: set[str], basis: str
) -> PlanCell | list[Problem]:
    """One row of a plan file, or the problems with it, each naming its row and column."""
    problems: list[Problem] = []

    def fail(column: str, code: str, msgid: str, **params: Any) -> None:
        where = _where(number, column)
        problems.append(Problem(code, msgid, where, {"where": where, **params}))

    def text(column: str) -> str:
        raw = values.get(column)
        value = "" if raw is None else str(raw).strip()
        if not value:
            fail(column, "stats.plan.required", N_("{where}: a value is required."))
        return value

    def whole(column: str, low: int, high: int) -> int:
        raw = values.get(column)
        if raw is None or str(raw).strip() == "":
            fail(column, "stats.plan.required", N_("{where}: a value is required."))
            return 0
        value = _integer(raw)
        if value is None:
            fail(
                column,
                "stats.plan.integer",
                N_("{where}: {value} is not a whole number."),
                value=str(raw),
            )
            return 0
        if not low <= value <= high:
            fail(
                column,
                "stats.plan.range",
                N_("{where}: {value} is not between {low} and {high}."),
                value=value,
                low=low,
                high=high,
            )
        return value

    year = whole("year", 1990, 2100)
    a, b = text("country_a").upper(), text("country_b").upper()
    for column, value in (("country_a", a), ("country_b", b)):
        if value and not _COUNTRY.match(value):
            fail(column, "stats.plan.country", N_("{where}: {value} is not valid."), value=value)
    if a and a == b:
        fail("country_b", "stats.same_country", N_("{where}: choose two different countries."))
    direction = text("direction").lower()
    if direction and direction not in DIRECTIONS:
        fail(
            "direction",
            "stats.plan.direction",
            N_("{where}: {value} is not one of {choices}."),
            value=direction,
            choices=", ".join(DIRECTIONS),
        )
    group = text("commodity_group")
    if group and group not in groups:
        fail(
            "commodity_group",
            "stats.plan.commodity_group",
            N_("{where}: {value} is not a known commodity group."),
            value=group,
        )
    month = whole("month", 1, 12)
    tonnes = whole("tonnes", 0, MAX_TONNES)
    if problems:
        return problems
    return PlanCell(year, a, b, direction, group, month, tonnes, basis)


def parse_plan_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], groups: set[str], basis: str = Basis.IMPORTED
) -> list[PlanCell]:
    """Every cell of a plan file, or ValidationFailed naming each bad row and column.

    A cell may appear once: a second row for the same year, pair, direction, group and month is
    an error (which of the two should win cannot be guessed).
    """
    cells: list[PlanCell] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, str, str, str, str, int], int] = {}
    for number, values in rows:
        result = parse_plan_row(number, values, groups, basis)
        if isinstance(result, PlanCell):
            first = seen.setdefault(result.key, number)
            if first != number:
                where = _where(number, "month")
                problems.append(
                    Problem(
                        "stats.plan.duplicate",
                        N_("{where}: the same plan cell is already on row {first}."),
                        where,
                        {"where": where, "first": first},
                    )
                )
            cells.append(result)
        else:
            problems.extend(result)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ValidationFailed.from_problems(problems)
    if not cells:
        raise ValidationFailed(
            N_("The file has no data rows."), code="stats.plan.empty", field="row 2"
        )
    return cells
