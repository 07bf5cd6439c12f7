"""Validation of imported historical statistics, row by row and column by column. Pure.

A file is accepted whole or not at all: :func:`parse_rows` returns every fact, or raises
:class:`ValidationFailed` listing every problem with its row (1 = the header line) and column.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from temir.kit.errors import Problem, ValidationFailed
from temir.kit.i18n import N_
from temir.kit.text import has_control_characters
from temir.stats.volumes.model import Fact

REQUIRED = (
    "consignment_no",
    "departure_date",
    "origin_esr",
    "origin_railway",
    "origin_country",
    "destination_esr",
    "destination_railway",
    "destination_country",
    "commodity_group",
    "wagons",
    "mass_kg",
)
OPTIONAL = (
    "arrival_date",
    "route_countries",
    "route_railways",
    "border_crossings",
    "etsng",
    "gng",
    "containers_teu",
    "tariff_km",
)
COLUMNS = REQUIRED + OPTIONAL
MAX_PROBLEMS = 50

_ESR = re.compile(r"^\d{6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_RAILWAY = re.compile(r"^[A-Z]{3}$")
_CROSSING = re.compile(r"^\d{6}/\d{6}$")
_INTEGER = re.compile(r"-?\d+")


def _where(row: int, column: str) -> str:
    return f"row {row}, column {column}"


def check_header(columns: Iterable[str]) -> None:
    present = {c.strip() for c in columns if c}
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise ValidationFailed(
            N_("The file has no column {column}."),
            code="stats.import.missing_column",
            field=f"row 1, column {missing[0]}",
            column=missing[0],
        )


# Codes repeat across a file (a few hundred stations and routes in a million rows): checking each
# distinct value once keeps a 1,000,000-row import within its 60 s budget.
@functools.lru_cache(maxsize=65536)
def _matches(regex: re.Pattern[str], value: str) -> bool:
    return regex.match(value) is not None


@functools.lru_cache(maxsize=65536)
def _split_codes(
    value: str, regex: re.Pattern[str], sep: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The codes in ``value`` and those of them that are not valid."""
    parts = tuple(p.strip() for p in value.replace(";", sep).split(sep) if p.strip())
    return parts, tuple(p for p in parts if not regex.match(p))


class _Row:
    def __init__(self, number: int, values: Mapping[str, Any], groups: set[str]) -> None:
        self.number = number
        self.values = values
        self.groups = groups
        self.problems: list[Problem] = []

    def text(self, column: str, required: bool = True) -> str | None:
        raw = self.values.get(column)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if required:
                self.fail(column, "stats.import.required", N_("{where}: a value is required."))
            return None
        return value

    def fail(self, column: str, code: str, msgid: str, **params: Any) -> None:
        where = _where(self.number, column)
        self.problems.append(Problem(code, msgid, where, {"where": where, **params}))

    def pattern(self, column: str, regex: re.Pattern[str], required: bool = True) -> str | None:
        value = self.text(column, required)
        if value is not None and not _matches(regex, value):
            self.fail(
                column, "stats.import.format", N_("{where}: {value} is not valid."), value=value
            )
            return None
        return value

    def integer(self, column: str, required: bool = True, minimum: int = 0) -> int | None:
        raw = self.values.get(column)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        value = self.text(column, required) if not isinstance(raw, int) else str(raw)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            self.fail(
                column,
                "stats.import.integer",
                N_("{where}: {value} is not a whole number."),
                value=value,
            )
            return None
        number = int(value)
        if number < minimum:
            self.fail(
                column,
                "stats.import.range",
                N_("{where}: {value} is below {minimum}."),
                value=value,
                minimum=minimum,
            )
            return None
        return number

    def day(self, column: str, required: bool = True) -> date | None:
        raw = self.values.get(column)
        if isinstance(raw, date):
            return raw if type(raw) is date else raw.date()  # type: ignore[attr-defined]
        value = self.text(column, required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.fail(
                column,
                "stats.import.date",
                N_("{where}: {value} is not a date (YYYY-MM-DD)."),
                value=value,
            )
            return None

    def codes(self, column: str, regex: re.Pattern[str], sep: str) -> tuple[str, ...]:
        value = self.text(column, required=False)
        if value is None:
            return ()
        parts, bad = _split_codes(value, regex, sep)
        for part in bad:
            self.fail(
                column, "stats.import.format", N_("{where}: {value} is not valid."), value=part
            )
        return parts


def parse_row(
    number: int, values: Mapping[str, Any], source: str, groups: set[str]
) -> Fact | list[Problem]:
    row = _Row(number, values, groups)
    consignment_no = row.text("consignment_no")
    if consignment_no is not None and has_control_characters(consignment_no):
        row.fail(
            "consignment_no",
            "stats.import.control",
            N_("{where}: control characters are not allowed."),
        )
        consignment_no = None
    departure = row.day("departure_date")
    arrival = row.day("arrival_date", required=False)
    origin_esr = row.pattern("origin_esr", _ESR)
    origin_railway = row.pattern("origin_railway", _RAILWAY)
    origin_country = row.pattern("origin_country", _COUNTRY)
    destination_esr = row.pattern("destination_esr", _ESR)
    destination_railway = row.pattern("destination_railway", _RAILWAY)
    destination_country = row.pattern("destination_country", _COUNTRY)
    group = row.text("commodity_group")
    if group is not None and group not in groups:
        row.fail(
            "commodity_group",
            "stats.import.commodity_group",
            N_("{where}: {value} is not a known commodity group."),
            value=group,
        )
    etsng = row.pattern("etsng", _ETSNG, required=False)
    gng = row.pattern("gng", _GNG, required=False)
    wagons = row.integer("wagons", minimum=1)
    containers = row.integer("containers_teu", required=False) or 0
    mass_kg = row.integer("mass_kg", minimum=1)
    tariff_km = row.integer("tariff_km", required=False)
    route_countries = row.codes("route_countries", _COUNTRY, ",")
    route_railways = row.codes("route_railways", _RAILWAY, ",")
    crossings = row.codes("border_crossings", _CROSSING, " ")
    if departure and arrival and arrival < departure:
        row.fail(
            "arrival_date",
            "stats.import.arrival_before_departure",
            N_("{where}: arrival is before departure."),
        )
    if (
        row.problems
        or consignment_no is None
        or departure is None
        or origin_esr is None
        or origin_railway is None
        or origin_country is None
        or destination_esr is None
        or destination_railway is None
        or destination_country is None
        or group is None
        or wagons is None
        or mass_kg is None
    ):
        return row.problems
    return Fact(
        consignment_no=consignment_no,
        departure_date=departure,
        arrival_date=arrival,
        origin_esr=origin_esr,
        origin_railway=origin_railway,
        origin_country=origin_country,
        destination_esr=destination_esr,
        destination_railway=destination_railway,
        destination_country=destination_country,
        route_countries=route_countries
        or tuple(dict.fromkeys((origin_country, destination_country))),
        route_railways=route_railways
        or tuple(dict.fromkeys((origin_railway, destination_railway))),
        border_crossings=crossings,
        commodity_group=group,
        etsng=etsng,
        gng=gng,
        wagons=wagons,
        containers_teu=containers,
        mass_kg=mass_kg,
        tariff_km=tariff_km,
        source=source,
        synthetic=False,
    )


@functools.lru_cache(maxsize=65536)
def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_ETSNG = re.compile(r"^\d{6}$")
_GNG = re.compile(r"^\d{8}$")


def _whole(text: str, minimum: int) -> int | None:
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if number >= minimum else None


def _fast_row(values: Mapping[str, Any], source: str, groups: set[str]) -> Fact | None:
    """The common case quickly: a row of text cells that passes every check of
    :func:`parse_row`, as the same Fact; None for anything else, which :func:`parse_row` then
    reports in full. It accepts nothing :func:`parse_row` would reject (same rules, same
    patterns), so it changes speed, never outcome.
    """
    raw = [values.get(column) for column in COLUMNS]
    if not all(v is None or type(v) is str for v in raw):
        return None
    (number, departure_text, origin_esr, origin_railway, origin_country, destination_esr,
     destination_railway, destination_country, group, wagons_text, mass_text, arrival_text,
     countries_text, railways_text, crossings_text, etsng, gng, teu_text, km_text,
     ) = (v.strip() if v else "" for v in raw)  # fmt: skip
    departure = _iso_day(departure_text) if departure_text else None
    arrival = _iso_day(arrival_text) if arrival_text else None
    if (
        not number
        or has_control_characters(number)
        or departure is None
        or (arrival_text and arrival is None)
        or (arrival is not None and arrival < departure)
        or group not in groups
        or not all(
            value and _matches(regex, value)
            for value, regex in (
                (origin_esr, _ESR),
                (origin_railway, _RAILWAY),
                (origin_country, _COUNTRY),
                (destination_esr, _ESR),
                (destination_railway, _RAILWAY),
                (destination_country, _COUNTRY),
            )
        )
        or (etsng and not _matches(_ETSNG, etsng))
        or (gng and not _matches(_GNG, gng))
    ):
        return None
    wagons = _whole(wagons_text, 1)
    mass_kg = _whole(mass_text, 1)
    teu = _whole(teu_text, 0) if teu_text else 0
    km = _whole(km_text, 0) if km_text else None
    if wagons is None or mass_kg is None or teu is None or (km_text and km is None):
        return None
    countries, bad_countries = _split_codes(countries_text, _COUNTRY, ",") if countries_text \
        else ((), ())  # fmt: skip
    railways, bad_railways = _split_codes(railways_text, _RAILWAY, ",") if railways_text \
        else ((), ())  # fmt: skip
    crossings, bad_crossings = _split_codes(crossings_text, _CROSSING, " ") if crossings_text \
        else ((), ())  # fmt: skip
    if bad_countries or bad_railways or bad_crossings:
        return None
    return Fact(
        consignment_no=number,
        departure_date=departure,
        arrival_date=arrival,
        origin_esr=origin_esr,
        origin_railway=origin_railway,
        origin_country=origin_country,
        destination_esr=destination_esr,
        destination_railway=destination_railway,
        destination_country=destination_country,
        route_countries=countries or tuple(dict.fromkeys((origin_country, destination_country))),
        route_railways=railways or tuple(dict.fromkeys((origin_railway, destination_railway))),
        border_crossings=crossings,
        commodity_group=group,
        etsng=etsng or None,
        gng=gng or None,
        wagons=wagons,
        containers_teu=teu,
        mass_kg=mass_kg,
        tariff_km=km,
        source=source,
        synthetic=False,
    )


def parse_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]], source: str, groups: set[str]
) -> list[Fact]:
    """Every fact of the file, or ValidationFailed naming each bad row and column."""
    facts: list[Fact] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        result = _fast_row(values, source, groups) or parse_row(number, values, source, groups)
        if isinstance(result, Fact):
            first = seen.setdefault(result.consignment_no, number)
            if first != number:
                where = _where(number, "consignment_no")
                problems.append(
                    Problem(
                        "stats.import.duplicate",
                        N_("{where}: consignment {value} is already on row {first}."),
                        where,
                        {"where": where, "value": result.consignment_no, "first": first},
                    )
                )
            facts.append(result)
        else:
            problems.extend(result)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ValidationFailed.from_problems(problems)
    if not facts:
        raise ValidationFailed(
            N_("The file has no data rows."), code="stats.import.empty", field="row 2"
        )
    return facts
