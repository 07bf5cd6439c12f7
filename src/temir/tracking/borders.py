"""Border points: who is waiting there now, and how long the wait has been, month by month.

A border point is a crossing of the network (two railways' codes 0 km apart, TR-4), named by
either code. Waiting: units whose latest report is at one of its codes and that no accepted act
there has taken over yet. Dwell: :mod:`temir.tracking.dwell` over the accepted acts there.

Who sees what: dwell figures are aggregates and are shown to anyone (route comparison uses
them); the waiting wagons only to the two railways of the crossing, and otherwise to those who
may read each wagon's note.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.kit import clock, versions
from temir.kit.errors import NotFound
from temir.kit.i18n import N_
from temir.network.routing.model import BorderCrossing
from temir.notes import lifecycle
from temir.notes.lifecycle import Party
from temir.notes.store.records import party_of
from temir.tracking import repository
from temir.tracking.dwell import DwellSample, DwellStat, Waiting, dwell_stats
from temir.tracking.model import HANDOVER_KINDS
from temir.tracking.timeline import network, note_facts

WAITING_WINDOW: Final = timedelta(days=60)
"""A unit reported at a border longer ago than this and not since is not "waiting" any more:
its reports stopped, which the timeline shows; it would only blur the border's list."""
NOT_A_BORDER = N_("{esr} is not a border point of the network.")


@dataclass(frozen=True)
class BorderPointView:
    crossing: BorderCrossing
    waiting: tuple[Waiting, ...]
    monthly: tuple[DwellStat, ...]
    overall: tuple[DwellStat, ...]
    without_arrival: int
    """Accepted units with no report at the border before acceptance (no dwell measurable)."""
    now: datetime

    def to_dict(self) -> dict[str, Any]:
        c = self.crossing
        return {
            "crossing": {
                "a_esr": c.a_esr, "a_railway": c.a_railway, "a_name": c.a_name_ru,
                "b_esr": c.b_esr, "b_railway": c.b_railway, "b_name": c.b_name_ru,
                "confidence": c.confidence, "estimated_pairing": c.estimated,
            },
            "waiting": [w.to_dict(self.now) for w in self.waiting],
            "dwell_by_month": [s.to_dict() for s in self.monthly],
            "dwell_overall": [s.to_dict() for s in self.overall],
            "accepted_without_arrival_report": self.without_arrival,
        }  # fmt: skip


def crossing_of(session: Session, esr: str) -> BorderCrossing:
    found: BorderCrossing | None = network(session).router.border_codes.get(esr.strip())
    if found is None:
        raise NotFound(NOT_A_BORDER, code="tracking.not_a_border", field="esr", esr=esr[:20])
    return found


def samples(
    session: Session, codes: Sequence[str] | None, since: datetime | None
) -> tuple[list[DwellSample], int]:
    """Dwell of every accepted unit at ``codes`` (all crossings when ``None``) since ``since``."""
    out: list[DwellSample] = []
    missing = 0
    for row in repository.dwell_rows(session, codes, since):
        if row.arrived_at is None:
            missing += 1
            continue
        out.append(
            DwellSample(
                exit_esr=row.station_esr, entry_esr=row.entry_esr,
                from_railway=row.from_railway, to_railway=row.to_railway, unit=row.unit,
                note_id=row.note_id, act_id=row.id,
                arrived_at=repository.aware(row.arrived_at),
                accepted_at=repository.aware(row.decided_at), synthetic=bool(row.synthetic),
            )
        )  # fmt: skip
    return out, missing


def border_point(
    session: Session, actor: Actor, esr: str, *, months: int = 12, now: datetime | None = None
) -> BorderPointView:
    now = now or clock.now()
    crossing = crossing_of(session, esr)
    codes = [crossing.a_esr, crossing.b_esr]
    found, missing = samples(session, codes, now - timedelta(days=31 * months))
    return BorderPointView(
        crossing=crossing,
        waiting=tuple(_waiting(session, party_of(session, actor), crossing, codes, now)),
        monthly=tuple(dwell_stats(found)),
        overall=tuple(dwell_stats(found, by_month=False)),
        without_arrival=missing,
        now=now,
    )


def observed_dwell(
    session: Session, *, months: int = 12
) -> dict[tuple[str, str | None], DwellStat]:
    """Overall dwell per crossing and direction — keyed by (exit code, entry code), as a route's
    border point names it — over recent months.

    Kept per :func:`observed_dwell_key` (this process): every quote shows these figures, and
    computing them reads every accepted act of the window with its arrival reports.
    """
    key = observed_dwell_key(session, months=months)
    with _dwell_lock:
        found = _dwell_kept.get(key)
        if found is not None:
            _dwell_kept.move_to_end(key)
            return dict(found)
    since = clock.now() - timedelta(days=31 * months)
    kept, _missing = samples(session, None, since)
    stats = {(s.exit_esr, s.entry_esr): s for s in dwell_stats(kept, by_month=False)}
    with _dwell_lock:
        _dwell_kept[key] = stats
        while len(_dwell_kept) > DWELL_KEPT:
            _dwell_kept.popitem(last=False)
    return dict(stats)


def observed_dwell_key(session: Session, *, months: int = 12) -> str:
    """A key that changes whenever :func:`observed_dwell` could answer differently (one small
    read, at most once a second unless this process wrote to :data:`DWELL_TABLES`: see
    :mod:`temir.kit.versions`): quotes cached per answer key on it too."""

    def read() -> str:
        since = clock.now() - timedelta(days=31 * months)
        return f"{months}:" + ";".join(repository.dwell_fingerprint(session, since))

    return _dwell_keys.get((str(session.get_bind().engine.url), months), read)


DWELL_TABLES = ("handover_acts", "handover_act_units", "tracking_events", "organisations")
"""The tables :func:`observed_dwell_key` counts: writes to them make a remembered key stale."""
versions.watch(*DWELL_TABLES)
_dwell_keys: versions.Remembered[str] = versions.Remembered()
DWELL_KEPT = 8
_dwell_lock = threading.Lock()
_dwell_kept: OrderedDict[str, dict[tuple[str, str | None], DwellStat]] = OrderedDict()


def dwell_by_month(session: Session, *, months: int = 12) -> list[DwellStat]:
    """Dwell per crossing, direction and calendar month (of the acceptance), every crossing."""
    found, _missing = samples(session, None, clock.now() - timedelta(days=31 * months))
    return dwell_stats(found, by_month=True)


def _waiting(
    session: Session, who: Party, crossing: BorderCrossing, codes: list[str], now: datetime
) -> list[Waiting]:
    arrived = repository.arrivals_at(session, codes, now - WAITING_WINDOW)
    if not arrived:
        return []
    units = sorted({r.unit for r in arrived})
    latest: dict[tuple[str, str | None], tuple[datetime, str, str]] = {}
    for r in repository.latest_reports(session, units, now - WAITING_WINDOW):
        key = (r.unit, r.note_id)
        at = repository.aware(r.at)
        if key not in latest or at > latest[key][0]:
            latest[key] = (at, r.station_esr, r.kind)
    acts: dict[tuple[str, str], tuple[str, str, str]] = {}
    for r in repository.acts_at(session, codes, units):
        acts[(r.unit, r.note_id)] = (r.id, r.status, r.from_railway)
    notes = repository.note_rows(session, sorted({r.note_id for r in arrived if r.note_id}))
    out: list[Waiting] = []
    for r in arrived:
        last = latest.get((r.unit, r.note_id))
        if last is None:
            continue
        handover = last[2] in {str(k) for k in HANDOVER_KINDS}
        if last[1] not in codes and not handover:
            continue  # moved on
        act = acts.get((r.unit, r.note_id)) if r.note_id else None
        if act is not None and act[1] == "accepted":
            continue
        if not _may_see(who, crossing, notes.get(r.note_id) if r.note_id else None):
            continue
        custody = act[2] if act is not None else None
        out.append(
            Waiting(
                unit=r.unit, note_id=r.note_id, station_esr=last[1],
                since=repository.aware(r.since), custody=custody,
                act_id=None if act is None else act[0], act_status=None if act is None else act[1],
            )
        )  # fmt: skip
    return sorted(out, key=lambda w: w.since)


def _may_see(who: Party, crossing: BorderCrossing, note: Any) -> bool:
    if who.admin or who.railway in (crossing.a_railway, crossing.b_railway):
        return True
    if note is None:
        return False
    return lifecycle.may_read(who, note_facts(note))
