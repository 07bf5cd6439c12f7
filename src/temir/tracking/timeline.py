"""``temir track WAGON|CONTAINER|NOTE``: where it is, who has it, when it will arrive.

One read: the note (through the note store, so its visibility rules decide who may look), its
route from box 22, its events and its handover acts; the rest is pure
(:mod:`~temir.tracking.rules`, :mod:`~temir.tracking.eta`). A wagon is tracked on the newest note
the caller may see that carries it; a wagon on no note only by the railway that reported it (or
an administrator). What the caller may not see is "not found", never "forbidden": the existence
of someone else's shipment is not told.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.codes import find_railway
from temir.kit import clock
from temir.kit.errors import NotFound, PermissionDenied
from temir.kit.i18n import N_, russian_names
from temir.network.provider import view_for
from temir.network.view import EngineNetworkView
from temir.notes import lifecycle
from temir.notes.lifecycle import NoteFacts, NoteStatus
from temir.notes.model import Note
from temir.notes.store.records import party_of
from temir.tariff import data as tariff_data
from temir.tracking import act_signing, repository, rules
from temir.tracking.eta import Estimate, Norms, estimate
from temir.tracking.model import Event, EventKind, HandoverAct, UnitKind
from temir.tracking.route import NoteRoute, Section, route_of
from temir.tracking.rules import Flag
from temir.tracking.service import reporter_party

NOTHING = N_("Nothing to track under {query}: no wagon, container or note you may see.")


def network(session: Session) -> EngineNetworkView:
    """The network of the session's loaded edition (the one quotes and note checks use)."""
    return view_for(session)


def norms() -> Norms:
    return Norms.of(tariff_data.delivery_norms())


@dataclass(frozen=True)
class Entry:
    event: Event
    flags: tuple[Flag, ...]
    km: int | None


@dataclass(frozen=True)
class UnitTrack:
    unit: str
    unit_kind: UnitKind
    entries: tuple[Entry, ...]
    custody: str | None
    estimate: Estimate
    open_hold: Event | None

    @property
    def last(self) -> Event | None:
        return self.entries[-1].event if self.entries else None


@dataclass(frozen=True)
class NoteTrack:
    id: str
    number: str | None
    status: str
    departure_esr: str | None
    destination_esr: str | None
    carriers: tuple[str, ...]
    custody: str | None
    route: NoteRoute | None
    acts: tuple[HandoverAct, ...]
    consignor_org_id: int | None = None
    synthetic: bool = False
    """Demo data (the consignor is a synthetic organisation): labelled wherever shown."""


@dataclass(frozen=True)
class Tracking:
    query: str
    kind: str
    """note | wagon | container"""
    note: NoteTrack | None
    units: tuple[UnitTrack, ...]
    estimate: Estimate | None
    names: Mapping[str, tuple[str, str]]
    """ESR → (Russian name, English name) of every station shown."""
    now: datetime
    railways: Mapping[str, str]
    """ESR → operating railway of every station shown (for its time zone)."""

    def zone(self, esr: str) -> str | None:
        return zone_of(self.railways.get(esr))

    def name(self, esr: str, lang: str) -> str:
        ru, en = self.names.get(esr, (esr, esr))
        return ru if russian_names(lang) or not en else en

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "query": self.query,
            "kind": self.kind,
            "note": None if self.note is None else _note_dict(self.note),
            "estimate": None if self.estimate is None else self.estimate.to_dict(),
            "units": [_unit_dict(self, u, lang) for u in self.units],
            "stations": {esr: self.name(esr, lang) for esr in sorted(self.names)},
        }


def local_time(at: datetime, zone: str | None) -> datetime:
    """``at`` in the zone of the station's railway (Asia/Almaty, …), UTC when unknown."""
    return at.astimezone(ZoneInfo(zone)) if zone else at


def zone_of(railway: str | None) -> str | None:
    found = find_railway(railway) if railway else None
    return found.time_zone if found is not None else None


def _note_dict(note: NoteTrack) -> dict[str, Any]:
    return {
        "id": note.id,
        "number": note.number,
        "status": note.status,
        "departure_esr": note.departure_esr,
        "destination_esr": note.destination_esr,
        "carriers": list(note.carriers),
        "custody": note.custody,
        "route": None if note.route is None else note.route.to_dict(),
        "acts": [a.to_dict() for a in note.acts],
        "synthetic": note.synthetic,
    }


def _unit_dict(t: Tracking, u: UnitTrack, lang: str) -> dict[str, Any]:
    last = u.last
    return {
        "unit": u.unit,
        "unit_kind": str(u.unit_kind),
        "custody": u.custody,
        "position": None
        if last is None
        else {"station_esr": last.station_esr, "station": t.name(last.station_esr, lang),
              "at": last.at.isoformat(), "kind": str(last.kind), "km": u.estimate.position_km},
        "open_hold": None if u.open_hold is None else str(u.open_hold.hold),
        "estimate": u.estimate.to_dict(),
        "events": [
            {**e.event.document(), "station": t.name(e.event.station_esr, lang), "km": e.km,
             "flags": [f.to_dict(lang) for f in e.flags]}
            for e in u.entries
        ],
    }  # fmt: skip


def track(session: Session, actor: Actor, query: str, *, now: datetime | None = None) -> Tracking:
    """Track a note (id or box 29 number), a wagon or a container the actor may see."""
    text = query.strip()[:40]
    now = now or clock.now()
    try:
        note_id = str(uuid.UUID(text))
    except ValueError:
        note_id = None
    if note_id is not None:
        return _track_note(session, actor, note_id, text, now)
    unit = rules.parse_unit(text)
    if unit is not None:
        return _track_unit(session, actor, unit[0], unit[1], text, now)
    for found in repository.notes_by_number(session, text):
        try:
            return _track_note(session, actor, found, text, now)
        except NotFound:
            continue
    raise _nothing(text)


def _nothing(text: str) -> NotFound:
    return NotFound(NOTHING, code="tracking.not_found", field="query", query=text)


@dataclass(frozen=True)
class VisibleNote:
    """A note the actor may read, as tracking needs it: the summary and the current version."""

    id: str
    number: str | None
    status: NoteStatus
    version: int
    consignor_org_id: int | None
    departure_esr: str | None
    destination_esr: str | None
    carriers: tuple[str, ...]
    custody: str | None
    note: Note


def note_facts(row: Any) -> NoteFacts:
    """What the note rules need to decide who may read a note, from its summary columns
    (``status``, ``consignor_org_id``, ``consignee_org_id``, ``carriers``, ``custody``)."""
    return NoteFacts(
        status=NoteStatus(row.status),
        consignor_org_id=row.consignor_org_id,
        carriers=tuple(c for c in row.carriers.split("|") if c),
        custody=row.custody,
        consignee_org_id=row.consignee_org_id,
    )


def load_note(session: Session, actor: Actor, note_id: str) -> VisibleNote:
    """The note if ``actor`` may read it by the note rules (:func:`lifecycle.may_read`);
    404 otherwise. One query, no digest: a timeline must answer in milliseconds."""
    try:
        key = str(uuid.UUID(str(note_id)))
    except ValueError:
        raise _nothing(str(note_id)[:40]) from None
    found = repository.note_with_document(session, key)
    if found is None:
        raise _nothing(key)
    row, document = found
    facts = note_facts(row)
    if not lifecycle.may_read(party_of(session, actor), facts):
        raise _nothing(key)
    return VisibleNote(
        id=row.id, number=row.number, status=facts.status, version=row.current_version,
        consignor_org_id=row.consignor_org_id, departure_esr=row.departure_esr,
        destination_esr=row.destination_esr, carriers=facts.carriers, custody=row.custody,
        note=Note.model_validate(document),
    )  # fmt: skip


def note_units(note: Note) -> list[tuple[str, UnitKind]]:
    """Box 7 wagons, then the containers of box 15."""
    out = [(w.number, UnitKind.WAGON) for w in note.wagons if w.number]
    out += [
        (g.container.number, UnitKind.CONTAINER)
        for g in note.goods
        if g.container is not None and g.container.number
    ]
    return list(dict.fromkeys(out))


def note_route(note: Note, view: EngineNetworkView) -> NoteRoute | None:
    sections = [
        Section(s.carrier, s.from_station.esr, s.to_station.esr)
        for s in note.carriers
        if s.from_station.esr and s.to_station.esr
    ]
    return route_of(sections, view)


def _track_note(
    session: Session,
    actor: Actor,
    note_id: str,
    text: str,
    now: datetime,
    only: tuple[str, UnitKind] | None = None,
) -> Tracking:
    try:
        found = load_note(session, actor, note_id)
    except NotFound:
        raise _nothing(text) from None
    note = found.note
    view = network(session)
    route = note_route(note, view)
    acts = tuple(
        replace(a, verification=act_signing.verify(session, a))
        for a in repository.acts_of_note(session, found.id)
    )
    only_unit = None if only is None else only[0]
    events = rules.ordered(repository.events_of_note(session, found.id, only_unit))
    units = note_units(note)
    units += [(e.unit, e.unit_kind) for e in events if (e.unit, e.unit_kind) not in units]
    units = list(dict.fromkeys(units))
    if only is not None:
        units = [only]
    contractual = found.carriers[0] if found.custody and found.carriers else None
    custody = rules.custody([u for u, _ in units], contractual, acts)
    tracks = tuple(
        _unit_track(
            unit, kind, [e for e in events if e.unit == unit], route, view, note,
            custody.get(unit), now,
        )
        for unit, kind in units
    )  # fmt: skip
    note_view = NoteTrack(
        id=found.id,
        number=found.number,
        status=str(found.status),
        departure_esr=found.departure_esr,
        destination_esr=found.destination_esr,
        carriers=found.carriers,
        custody=found.custody,
        route=route,
        acts=acts,
        consignor_org_id=found.consignor_org_id,
        synthetic=repository.synthetic_organisation(session, found.consignor_org_id),
    )
    overall = max((t.estimate for t in tracks), key=lambda e: e.remaining_km or 0, default=None)
    kind = "note" if only is None else str(only[1])
    names, railways = _names(view, tracks, route)
    return Tracking(text, kind, note_view, tracks, overall, names, now, railways)


def _unit_track(
    unit: str,
    kind: UnitKind,
    events: Sequence[Event],
    route: NoteRoute | None,
    view: EngineNetworkView,
    note: Note | None,
    custody: str | None,
    now: datetime,
) -> UnitTrack:
    where = rules.positions(events, route, view)
    flagged = rules.flags(events, route, view, where)
    delivered = note.delivery.at if note is not None and note.delivery else None
    guess = estimate(
        events,
        where,
        route,
        norms(),
        accepted_at=note.contract_date if note is not None else None,
        extension_days=sum(x.days for x in note.extensions) if note is not None else 0,
        delivered_at=delivered,
        now=now,
    )
    entries = tuple(Entry(e, f, km) for e, f, km in zip(events, flagged, where, strict=True))
    return UnitTrack(unit, kind, entries, custody, guess, _open_hold(events))


def _open_hold(events: Sequence[Event]) -> Event | None:
    open_holds: dict[str, Event] = {}
    for event in events:
        if event.kind is EventKind.HOLD and event.hold is not None:
            open_holds[str(event.hold)] = event
        elif event.kind is EventKind.RELEASE and event.hold is not None:
            open_holds.pop(str(event.hold), None)
    return max(open_holds.values(), key=lambda e: e.at, default=None)


def _track_unit(
    session: Session, actor: Actor, unit: str, kind: UnitKind, text: str, now: datetime
) -> Tracking:
    for note_id in repository.notes_of_unit(session, unit):
        try:
            return _track_note(session, actor, note_id, text, now, only=(unit, kind))
        except NotFound:
            continue
    try:
        who = reporter_party(session, actor)
    except PermissionDenied:  # not a railway: no unlinked events to see
        raise _nothing(text) from None
    events = rules.ordered(
        repository.unlinked_events(session, unit, None if who.admin else who.railway)
    )
    if not events:
        raise _nothing(text)
    view = network(session)
    track = _unit_track(unit, kind, events, None, view, None, events[-1].reporter, now)
    names, railways = _names(view, [track], None)
    return Tracking(text, str(kind), None, (track,), track.estimate, names, now, railways)


def _names(
    view: EngineNetworkView, tracks: Sequence[UnitTrack], route: NoteRoute | None
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Names and railways of the stations shown."""
    codes = {e.event.station_esr for t in tracks for e in t.entries}
    if route is not None:
        codes |= {c for leg in route.legs for c in (leg.entry_esr, leg.exit_esr)}
    data = view.router.data
    names = {esr: (data.names.get(esr, esr), data.name_en.get(esr, "")) for esr in codes}
    railways = {esr: rw for esr in codes if (rw := view.router.code_railway.get(esr))}
    return names, railways
