"""Use cases of the reference network: load the shipped data, find stations, list the network.

Loading is one unit of work: either every dataset is brought to the shipped edition or nothing
changes. Each dataset keeps its edition and SHA-256 digest in ``ref_editions``, so a second run
reads a few small files, sees equal digests and reports "unchanged"; a changed dataset is
synchronised in place by natural key (ESR code, section, …) and the report says what moved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor
from temir.codes.esr import parse_esr
from temir.kit import clock
from temir.kit.db import Base, UnitOfWork
from temir.kit.errors import NotFound
from temir.kit.i18n import N_
from temir.kit.text import fold
from temir.network import places, reference, station_index
from temir.network import repository as repo
from temir.network.model import DatasetChange, LoadReport, Station
from temir.network.tables import (
    BorderCrossingRow,
    CommodityRow,
    DatasetEditionRow,
    GngRow,
    RailwayRow,
    SectionPointRow,
    SectionRow,
    StationCodeRow,
    StationRow,
    StationTransitRow,
    TransitDistanceRow,
    TransitPointRow,
)

Row = dict[str, Any]

# dataset → (table, natural key)
_TABLES: dict[str, tuple[type[Base], Any]] = {
    "railways": (RailwayRow, lambda r: (r["code"],)),
    "sections": (SectionRow, lambda r: (r["from_esr"], r["to_esr"], r["tr4_section"] or "")),
    "section_points": (SectionPointRow, lambda r: (r["railway"], r["tr4_section"], r["seq"])),
    "border_crossings": (
        BorderCrossingRow,
        lambda r: (r["a_esr"], r["b_esr"] or "", r["b_name_ru"]),
    ),
    "tr4_transit_points": (TransitPointRow, lambda r: (r["railway"], r["esr"])),
    "tr4_transit_distances": (
        TransitDistanceRow,
        lambda r: (r["railway"], r["from_esr"], r["to_esr"]),
    ),
    "tr4_station_transit": (
        StationTransitRow,
        lambda r: (r["railway"], r["esr"], r["transit_esr"]),
    ),
    "commodities": (CommodityRow, lambda r: (r["gng"], r["etsng"] or "")),
    "gng": (GngRow, lambda r: (r["gng"],)),
}

EXAMPLES = 3


def _examples(result: repo.SyncResult) -> tuple[str, ...]:
    def label(sign: str, key: tuple[Any, ...]) -> str:
        return sign + " " + " ".join(str(k) for k in key if k not in (None, ""))

    out = [label("+", k) for k in result.added[:EXAMPLES]]
    out += [label("~", k) for k in result.changed[:EXAMPLES]]
    out += [label("-", k) for k in result.removed[:EXAMPLES]]
    return tuple(out)


def _change(
    dataset: reference.Dataset, rows: int, results: Sequence[repo.SyncResult], first: bool
) -> DatasetChange:
    added = sum(len(r.added) for r in results)
    changed = sum(len(r.changed) for r in results)
    removed = sum(len(r.removed) for r in results)
    examples: tuple[str, ...] = ()
    for r in results:
        examples += _examples(r)
    if first:
        status, examples = "added", ()
    elif added or changed or removed:
        status = "updated"
    else:
        status = "unchanged"
    return DatasetChange(
        dataset.name, dataset.edition, status, rows, added, changed, removed, examples[:9]
    )


def _load_stations(session: Session, data_dir: Path) -> tuple[int, list[repo.SyncResult]]:
    stations, codes = places.build_stations(data_dir)
    station_result = repo.sync_table(
        session,
        StationRow,
        stations,
        lambda r: (r["railway"], r["name_ru"]),
        apply_removals=False,
    )
    ids = repo.station_ids(session)
    code_rows = []
    for code in codes:
        row = dict(code)
        row["station_id"] = ids[row.pop("station_key")]
        code_rows.append(row)
    code_result = repo.sync_table(session, StationCodeRow, code_rows, lambda r: (r["esr"],))
    repo.delete_rows(session, StationRow, station_result.removed_rows)
    return len(stations) + len(code_rows), [station_result, code_result]


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("loading reference data", total=total)
        yield lambda description: progress.update(task, advance=1, description=description)


def load_reference(
    uow: UnitOfWork, actor: Actor, data_dir: Path | None = None, progress: bool = False
) -> LoadReport:
    """Bring the reference tables to the shipped (or given) data, in one unit of work."""
    data_dir = data_dir or reference.DATA_DIR
    changes: list[DatasetChange] = []
    with uow() as session, _progress(progress, len(reference.DATASETS)) as step:
        known = repo.editions(session)
        removed_railways: repo.SyncResult | None = None
        for dataset in reference.DATASETS:
            if step:
                step(dataset.name)
            digest = dataset.digest(data_dir)
            edition = known.get(dataset.name)
            if edition is not None and edition.digest == digest:
                changes.append(
                    DatasetChange(dataset.name, edition.edition, "unchanged", edition.rows)
                )
                continue
            if dataset.name == "stations":
                rows, results = _load_stations(session, data_dir)
            else:
                table, key = _TABLES[dataset.name]
                built = reference.BUILDERS[dataset.name](data_dir)
                rows = len(built)
                apply = dataset.name != "railways"  # stations may still point at one
                result = repo.sync_table(session, table, built, key, apply_removals=apply)
                if not apply:
                    removed_railways = result
                results = [result]
            changes.append(_change(dataset, rows, results, first=edition is None))
            if edition is None:
                edition = DatasetEditionRow(dataset=dataset.name)
                session.add(edition)
            edition.edition = dataset.edition
            edition.digest = digest
            edition.rows = rows
            edition.loaded_at = clock.now()
        if removed_railways is not None:
            repo.delete_rows(session, RailwayRow, removed_railways.removed_rows)
        report = LoadReport(tuple(changes))
        if not report.unchanged:
            audit.record(
                session,
                actor,
                "reference.load",
                "reference",
                None,
                {"summary": report.summary(), "datasets": [c.to_dict() for c in changes]},
            )
    return report


# ---------------------------------------------------------------- reads

MAX_LIMIT = 200
MAX_WORDS = 8
STATION_NOT_FOUND = N_("No station has the ESR code {esr}.")

_DIGITS = re.compile(r"^\d{1,6}$")


def _query(q: str | None) -> tuple[list[str], str | None]:
    """Folded words of ``q`` and, when ``q`` is only digits, the ESR prefix it spells."""
    text = (q or "")[:200]
    compact = re.sub(r"\s+", "", text)
    digits = compact if _DIGITS.match(compact) else None
    words = fold(text).split()[:MAX_WORDS]
    return words, digits


def search_stations(
    session: Session,
    q: str | None = None,
    *,
    railway: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[Station]:
    """Stations whose name words start with the words of ``q`` (ru or en, folded), or one of
    whose ESR codes starts with ``q`` when it is digits; best matches first.

    Answered from the edition's in-memory index (:mod:`temir.network.station_index`)."""
    index = station_index.index_for(session)
    return [index.stations[i] for i in search_in(index, q, railway, country, kind, limit)]


def search_in(
    index: station_index.StationIndex,
    q: str | None,
    railway: str | None,
    country: str | None,
    kind: str | None,
    limit: int,
) -> list[int]:
    """:func:`search_stations` over ``index``: positions in ``index.stations``, best first."""
    words, digits = _query(q)
    return index.search(
        words,
        digits,
        railway.upper() if railway else None,
        country.upper() if country else None,
        kind.lower() if kind else None,
        max(1, min(limit, MAX_LIMIT)),
    )


def get_station(session: Session, esr: str) -> Station:
    """The station one of whose codes is ``esr``; a malformed code is a ValidationFailed naming
    the rule (length, digits, check digit), an unknown one NotFound."""
    code = parse_esr(esr)
    found = repo.station_code(session, code)
    if found is None:
        raise NotFound(STATION_NOT_FOUND, code="station.not_found", field="esr", esr=code)
    row = repo.station(session, found.station_id)
    assert row is not None  # foreign key
    return station_index.station_of(row, repo.codes_of(session, [row.id])[row.id])


def list_railways(session: Session) -> list[RailwayRow]:
    return repo.railways(session)


def list_border_crossings(
    session: Session, railway: str | None = None, country: str | None = None
) -> list[BorderCrossingRow]:
    return repo.border_crossings(
        session, railway.upper() if railway else None, country.upper() if country else None
    )


def list_sections(
    session: Session, railway: str | None = None, limit: int = 2000
) -> list[SectionRow]:
    return repo.sections(session, railway.upper() if railway else None, max(1, limit))


def search_commodities(
    session: Session, q: str | None = None, limit: int = 50
) -> tuple[list[CommodityRow], list[GngRow]]:
    """Curated commodities of the trade first, then matching GNG nomenclature entries.

    ``q`` is a GNG/ETSNG code (or its leading digits) or words of a Russian name.
    """
    text = (q or "")[:200]
    compact = re.sub(r"\s+", "", text)
    digits = compact if re.fullmatch(r"\d{1,8}", compact) else None
    words = [] if digits else fold(text).split()[:MAX_WORDS]
    limit = max(1, min(limit, MAX_LIMIT))
    curated = repo.search_commodities(session, words, digits, limit)
    gng = repo.search_gng(session, words, digits, limit)
    return curated, gng
