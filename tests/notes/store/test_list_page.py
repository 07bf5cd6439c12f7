"""The notes list answers exactly what its rules say, on SQLite and PostgreSQL.

The page is read per visibility branch from indexes in the list's order and cut from their
union (:func:`temir.notes.store.repository.list_note_rows`). This test writes notes of
several organisations, with railways as carriers, many sharing one ``created_at`` (so the id
decides their order), and compares every page the service gives — every filter, every kind of
caller, offsets inside, at and past the end — with the same list worked out here in Python
from all the stored notes, straight from the rules: who may see a note, what each filter
keeps, newest first and then by id. The summaries are compared field by field with the
summary the store makes of the stored note (:func:`records.summary_of`, the one view of a
single note).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor, Role
from temir.kit.db import UnitOfWork
from temir.notes.store import records, repository, service
from temir.notes.store.tables import NoteRow, NoteWagonRow
from tests.notes.store_helpers import World, make_world

BASE = datetime(2031, 3, 10, 22, 0, tzinfo=UTC)
# Codes from the shipped reference data (stations.csv, commodities.csv) and the wagons of the
# example note (check digits correct); numbers and times are synthetic.
STATIONS = ("684001", "700007", "745309")
CARGO = (("011005", "10019900"), ("214039", None), (None, "10039000"))
WAGONS = ("95120341", "95121174", "52171246")
CARRIERS = ("|KZH|UTI|TDZ|", "|UTI|TDZ|", "", "|KZH|", "|TDZ|")
STATUSES = ("draft", "submitted", "accepted", "in_transit", "delivered", "refused")
NUMBERS = (None, "KZ-1_7", "KZ-100%", "UZ-2024-17", "kz-0017")


@dataclass(frozen=True)
class Stored:
    world: World
    org_ids: dict[str, int]


def _org_ids(session: Session, world: World) -> dict[str, int]:
    by_slug = {row.slug: row.id for row in accounts_repository.organisation_rows(session)}
    return {name: by_slug[slug] for name, slug in world.orgs.items()}


@pytest.fixture(scope="module")
def stored(engine: Any) -> Stored:
    """~180 notes: consignors and consignees among two shippers and a railway (or none),
    varied carriers, statuses, stations, cargo, numbers, wagons; created in 9 instants that
    straddle a UTC midnight, about 20 notes to an instant."""
    uow = UnitOfWork(engine)
    world = make_world(uow)
    with uow() as session:
        ids = _org_ids(session, world)
        consignors = (ids["shipper"], ids["other"], None, ids["kzh"])
        consignees = (None, ids["other"], ids["shipper"], None, ids["uti"], ids["shipper"], None)
        notes, wagons = [], []
        for i in range(180):
            note_id = str(uuid.uuid4())
            etsng, gng = CARGO[i % len(CARGO)]
            at = BASE + timedelta(hours=(i * 7 % 9) - 4)  # 18:00 .. 02:00 next day
            notes.append(
                {
                    "id": note_id,
                    "number": NUMBERS[i % len(NUMBERS)],
                    "status": STATUSES[i % len(STATUSES)],
                    "current_version": 1 + i % 3,
                    "consignor_org_id": consignors[i % len(consignors)],
                    "consignee_org_id": consignees[i % len(consignees)],
                    "departure_esr": STATIONS[i % 3],
                    "destination_esr": STATIONS[(i // 3) % 3],
                    "cargo_etsng": etsng,
                    "cargo_gng": gng,
                    "carriers": CARRIERS[i % len(CARRIERS)],
                    "custody": "KZH" if i % 2 else None,
                    "created_by": f"tests:{i}",
                    "created_at": at,
                    "updated_at": at + timedelta(minutes=i),
                }
            )
            for k in range(i % 3):
                wagons.append({"note_id": note_id, "wagon": WAGONS[(i + k) % len(WAGONS)]})
        repository.bulk_insert(session, NoteRow.__table__, notes)
        repository.bulk_insert(session, NoteWagonRow.__table__, wagons)
    return Stored(world, ids)


def _expected(
    session: Session, actor: Actor, filters: dict[str, Any], railway: str | None
) -> list[NoteRow]:
    """Every stored note the rules let ``actor`` see and ``filters`` keep, in list order."""
    wagons: dict[str, set[str]] = {}
    for w in session.scalars(select(NoteWagonRow)):
        wagons.setdefault(w.note_id, set()).add(w.wagon)
    organisations = accounts_repository.organisation_rows(session)

    def visible(n: NoteRow) -> bool:
        if actor.role is Role.ADMIN:
            return True
        org = actor.organisation_id
        return (org is not None and org in (n.consignor_org_id, n.consignee_org_id)) or (
            railway is not None and f"|{railway}|" in n.carriers
        )

    keep: list[Callable[[NoteRow], bool]] = [visible]
    if "status" in filters:
        keep.append(lambda n: n.status == filters["status"])
    if "station" in filters:
        keep.append(lambda n: filters["station"] in (n.departure_esr, n.destination_esr))
    if "cargo" in filters:
        keep.append(lambda n: filters["cargo"] in (n.cargo_etsng, n.cargo_gng))
    if "wagon" in filters:
        keep.append(lambda n: filters["wagon"] in wagons.get(n.id, set()))
    if "number" in filters:
        keep.append(lambda n: filters["number"].lower() in (n.number or "\0").lower())
    if "party" in filters:
        text = filters["party"]
        orgs = {
            o.id
            for o in organisations
            if text.casefold() in o.slug.casefold() or text.casefold() in o.name.casefold()
        }
        code = text.upper() if text.isalpha() and len(text) <= 4 else None
        keep.append(
            lambda n: n.consignor_org_id in orgs or (code is not None and f"|{code}|" in n.carriers)
        )
    if "date_from" in filters:
        start = datetime.combine(filters["date_from"], datetime.min.time(), UTC)
        keep.append(lambda n: repository.aware(n.created_at) >= start)
    if "date_to" in filters:
        end = datetime.combine(filters["date_to"] + timedelta(days=1), datetime.min.time(), UTC)
        keep.append(lambda n: repository.aware(n.created_at) < end)
    notes = [n for n in session.scalars(select(NoteRow)) if all(k(n) for k in keep)]
    notes.sort(key=lambda n: n.id)
    notes.sort(key=lambda n: repository.aware(n.created_at), reverse=True)
    return notes


FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "submitted"},
    {"station": "700007"},
    {"cargo": "011005"},
    {"cargo": "10039000"},
    {"wagon": "95121174"},
    {"number": "1_7"},
    {"number": "100%"},
    {"number": "KZ-0"},
    {"party": "KZH"},
    {"party": "nobody-has-this-name"},
    {"date_from": date(2031, 3, 11)},
    {"date_to": date(2031, 3, 10)},
    {"date_from": date(2031, 3, 10), "date_to": date(2031, 3, 10)},
    {"status": "accepted", "station": "684001", "party": "TDZ"},
    {"cargo": "10019900", "wagon": "95120341", "date_from": date(2031, 3, 10)},
]
WHO = ["shipper", "other_shipper", "kzh", "uti", "viewer", "admin"]


@pytest.mark.parametrize("who", WHO)
def test_every_page_is_the_list_the_rules_give(stored: Stored, engine: Any, who: str) -> None:
    actor: Actor = getattr(stored.world, who)
    railway = {"kzh": "KZH", "uti": "UTI"}.get(who)
    filters_of_party = [{"party": stored.world.orgs["shipper"]}, {"party": "other"}]
    with UnitOfWork(engine).read() as session:
        for filters in FILTERS + filters_of_party:
            expected = _expected(session, actor, filters, railway)
            slugs = accounts_repository.organisation_slugs(
                session, {n.consignor_org_id for n in expected if n.consignor_org_id}
            )
            whole = [records.summary_of(n, slugs).to_dict() for n in expected]
            size = len(whole)
            for limit, offset in [(7, 0), (7, 3), (20, 0), (7, max(size - 4, 0)), (7, size),
                                  (7, size + 5), (1, max(size - 1, 0)), (200, 0)]:  # fmt: skip
                total, notes = service.list_notes(
                    session, actor, limit=limit, offset=offset, **filters
                )
                assert total == size, (who, filters)
                got = [n.to_dict() for n in notes]
                assert got == whole[offset : offset + limit], (who, filters, limit, offset)


def test_the_notes_share_instants_and_every_caller_sees_some(stored: Stored, engine: Any) -> None:
    """The data above pins what it is meant to: ties on created_at inside one caller's list,
    and a non-empty list for each caller (so the comparison compares something)."""
    with UnitOfWork(engine).read() as session:
        for who in WHO:
            actor: Actor = getattr(stored.world, who)
            railway = {"kzh": "KZH", "uti": "UTI"}.get(who)
            seen = _expected(session, actor, {}, railway)
            instants = [n.created_at for n in seen if n.created_by.startswith("tests:")]
            assert len(instants) > len(set(instants)) + 10, who
