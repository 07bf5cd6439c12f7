"""What the statistics dashboard shows: the volume reports of one set of filters, labelled.

Why a view layer between the service and the pages/exports: the page, the CSV and the XLSX
must show the very same figures, so all three read one :class:`Dashboard` built from
:func:`temir.stats.volumes.service.volumes` — nothing here adds up tonnes on its own. This
module only gives each row a label in the user's language (month names, commodity names,
station names of border crossings, railway names).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from babel.dates import get_month_names
from sqlalchemy.orm import Session

from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_, russian_names, translate
from temir.network import service as network_service
from temir.stats import data
from temir.stats.volumes import service
from temir.stats.volumes.model import Breakdown, Direction, VolumeReport, VolumeRow

DEFAULT_YEAR = 2025
DEFAULT_PAIR = ("KZ", "TJ")
COUNTRIES = ("KZ", "UZ", "TJ", "KG", "TM", "RU")

#: The dashboard's tables, in page order, with their English titles and key column headers.
TABLES: dict[str, tuple[Breakdown, str, str]] = {
    "month": (Breakdown.MONTH, N_("By month"), N_("Month")),
    "commodity": (Breakdown.COMMODITY, N_("By commodity group"), N_("Commodity group")),
    "direction": (Breakdown.DIRECTION, N_("By direction"), N_("Direction")),
    "crossing": (Breakdown.CROSSING, N_("By border crossing"), N_("Border crossing")),
    "railway": (Breakdown.RAILWAY, N_("By railway"), N_("Railway")),
}

DIRECTION_LABELS = {
    Direction.EXPORT: N_("Export"),
    Direction.IMPORT: N_("Import"),
    Direction.TRANSIT: N_("Transit"),
}

COUNTRY_NAMES = {
    "KZ": N_("Kazakhstan"),
    "UZ": N_("Uzbekistan"),
    "TJ": N_("Tajikistan"),
    "KG": N_("Kyrgyzstan"),
    "TM": N_("Turkmenistan"),
    "RU": N_("Russia"),
}


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; ``direction``/``commodity`` None mean "all"."""

    year: int = DEFAULT_YEAR
    a: str = DEFAULT_PAIR[0]
    b: str = DEFAULT_PAIR[1]
    direction: Direction | None = None
    commodity: str | None = None

    def params(self, **extra: str) -> dict[str, str]:
        out = {"year": str(self.year), "a": self.a, "b": self.b}
        if self.direction:
            out["direction"] = str(self.direction)
        if self.commodity:
            out["commodity"] = self.commodity
        out.update(extra)
        return out

    def query(self, **extra: str) -> str:
        return urlencode(self.params(**extra))


def parse_filters(
    year: str = "", a: str = "", b: str = "", direction: str = "", commodity: str = ""
) -> Filters:
    """Filters from a GET form; empty fields take the defaults, bad ones are user errors."""
    filters = Filters()
    if year.strip():
        try:
            value = int(year.strip())
        except ValueError:
            value = 0
        if not 1990 <= value <= 2100:
            raise ValidationFailed(
                N_("Year must be a number between 1990 and 2100."),
                code="stats.web.year",
                field="year",
            )
        filters = replace(filters, year=value)
    for name, raw in (("a", a), ("b", b)):
        if raw.strip():
            code = raw.strip().upper()
            if len(code) != 2 or not code.isalpha():
                raise ValidationFailed(
                    N_("A country is a two-letter code such as KZ."),
                    code="stats.web.country",
                    field=name,
                )
            filters = replace(filters, a=code) if name == "a" else replace(filters, b=code)
    if direction.strip():
        try:
            filters = replace(filters, direction=Direction(direction.strip()))
        except ValueError:
            raise ValidationFailed(
                N_("Direction must be export, import or transit."),
                code="stats.web.direction",
                field="direction",
            ) from None
    if commodity.strip():
        filters = replace(filters, commodity=commodity.strip())
    return filters


@dataclass(frozen=True)
class Line:
    """One labelled row of a dashboard table (the figures are the service's own row)."""

    key: str
    label: str
    row: VolumeRow


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    key_header: str
    lines: tuple[Line, ...]
    total: VolumeRow
    report: VolumeReport


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    lang: str
    total: VolumeRow
    synthetic: bool
    tables: dict[str, Table] = field(default_factory=dict)
    years: tuple[int, ...] = ()

    @property
    def pair_label(self) -> str:
        a = country_name(self.filters.a, self.lang)
        return f"{a} – {country_name(self.filters.b, self.lang)}"


def country_name(code: str, lang: str) -> str:
    msgid = COUNTRY_NAMES.get(code)
    return translate(msgid, lang) if msgid else code


def commodity_name(code: str, lang: str) -> str:
    group = data.commodity_groups().get(code)
    if group is None:
        return code
    return group.name_ru if russian_names(lang) else group.name_en


def commodity_choices(lang: str) -> list[tuple[str, str]]:
    return [(code, commodity_name(code, lang)) for code in data.commodity_groups()]


def month_label(key: str, lang: str) -> str:
    names = get_month_names("wide", context="stand-alone", locale=lang)
    try:
        return str(names[int(key)]).capitalize()
    except (ValueError, KeyError):
        return key


class Labeller:
    """Names for railways and border crossings from the reference network, when it is loaded."""

    def __init__(self, session: Session, lang: str) -> None:
        self.lang = lang
        self.railways = {
            r.code: (r.name_ru if russian_names(lang) else r.name_en)
            for r in network_service.list_railways(session)
        }
        self.crossings: dict[str, str] = {}
        for c in network_service.list_border_crossings(session):
            a = c.a_name_ru if russian_names(lang) else c.a_name_en
            b = c.b_name_ru if russian_names(lang) else c.b_name_en
            self.crossings.setdefault(f"{c.a_esr}/{c.b_esr}", f"{a} – {b}")
            self.crossings.setdefault(f"{c.b_esr}/{c.a_esr}", f"{b} – {a}")

    def label(self, table: str, key: str) -> str:
        if table == "month":
            return month_label(key, self.lang)
        if table == "commodity":
            return commodity_name(key, self.lang)
        if table == "direction":
            msgid = DIRECTION_LABELS.get(Direction(key)) if key in set(Direction) else None
            return translate(msgid, self.lang) if msgid else key
        if table == "crossing":
            if key == "none":
                return translate(N_("No crossing recorded"), self.lang)
            return self.crossings.get(key, key)
        if table == "railway":
            name = self.railways.get(key)
            return f"{key} · {name}" if name else key
        return key


def _ordered(table: str, lines: list[Line]) -> tuple[Line, ...]:
    """Months in calendar order, directions in rulebook order, the rest largest first."""
    if table == "month":
        return tuple(sorted(lines, key=lambda line: line.key))
    if table == "direction":
        order = [str(d) for d in Direction]
        return tuple(sorted(lines, key=lambda line: order.index(line.key)))
    return tuple(sorted(lines, key=lambda line: (-line.row.tonnes, line.key)))


def build(
    session: Session, filters: Filters, lang: str, tables: tuple[str, ...] = tuple(TABLES)
) -> Dashboard:
    """Run one volume report per table for ``filters`` and label its rows in ``lang``."""
    labeller = Labeller(session, lang)
    built: dict[str, Table] = {}
    total: VolumeRow | None = None
    synthetic = False
    for name in tables:
        by, title, key_header = TABLES[name]
        report = service.volumes(
            session,
            filters.year,
            filters.a,
            filters.b,
            by,
            filters.commodity,
            direction=filters.direction,
        )
        total = report.total
        synthetic = synthetic or report.synthetic_included
        lines = [Line(r.key, labeller.label(name, r.key), r) for r in report.rows]
        built[name] = Table(
            name=name,
            title=translate(title, lang),
            key_header=translate(key_header, lang),
            lines=_ordered(name, lines),
            total=report.total,
            report=report,
        )
    if total is None:  # no table asked for: the total alone
        report = service.volumes(
            session,
            filters.year,
            filters.a,
            filters.b,
            Breakdown.TOTAL,
            filters.commodity,
            direction=filters.direction,
        )
        total, synthetic = report.total, report.synthetic_included
    return Dashboard(
        filters=filters,
        lang=lang,
        total=total,
        synthetic=synthetic,
        tables=built,
        years=tuple(service.years_with_facts(session, filters.a, filters.b)),
    )
