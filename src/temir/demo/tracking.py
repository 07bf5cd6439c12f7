"""Demo step: wagons Kazakhstan → Tajikistan with their events and handover acts (synthetic).

What is real: the stations (TR-4 ESR codes of the KZH, UTI and TDZ sections of the example
note's route — Kostanay, Kyzylorda, Turkestan, Arys 1 or Shalkar to Saryagash (exp.), Keles
(exp.) to Kudukli (exp.), Pakhtaabad (exp.) to Dushanbe II) and their tariff km. What is
synthetic: the notes (from the shipped example, labelled in box 3), wagon numbers (valid check
digits), every time, speed and border wait — drawn from the seed, the waits around the ~40 h
the region's rail crossings are said to average — and the events' remarks say so.

Every shipment goes through the real steps as the demo users: the shipper drafts and submits,
KZH accepts, the railways report events, each border is an act offered by the outgoing railway
and accepted (or once disputed, with a broken seal) by the incoming one, TDZ records arrival
and delivery. Older shipments are complete (they make the border dwell statistics); the last
few are on their way now, so ``make run`` shows wagons in transit and waiting at borders.

Idempotent: when demo tracking events exist, nothing is added.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Channel
from temir.codes import wagon_check_digit
from temir.demo.service import DemoContext, DemoTable, StepSummary, step
from temir.kit import clock
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.example import example_note
from temir.notes.model import Note
from temir.notes.store import service as notes
from temir.tracking import acts, service
from temir.tracking.route import NoteRoute
from temir.tracking.tables import TrackingEventRow
from temir.tracking.timeline import network, note_route

SHIPPER, RAILWAYS = "demo-shipper", {"KZH": "demo-kzh", "UTI": "demo-uti", "TDZ": "demo-tdz"}
ORIGINS: Final = ("684001", "671707", "697800", "698004", "669904")
"""Костанай, Кызылорда, Туркестан, Арыс 1, Шалкар: KZH stations on the example's route."""
COMPLETED: Final = 24
IN_TRANSIT: Final = 6
KEY: Final = "demo:"
REMARK: Final = "synthetic demo"


@dataclass(frozen=True)
class Move:
    """One thing that happens on a journey, at ``at``."""

    at: datetime
    kind: str  # event | offer | decide | arrive | deliver
    railway: str
    data: dict[str, Any]


def _wagon(rng: random.Random) -> str:
    body = f"5{rng.randrange(10**6):06d}"
    return body + str(wagon_check_digit(body))


def _document(rng: random.Random, index: int, origin: str, names: dict[str, str],
              km: int) -> dict[str, Any]:  # fmt: skip
    """The example note from ``origin`` with its own wagons, seals and masses."""
    note = lifecycle.draft_of(example_note())
    data: dict[str, Any] = note.model_dump(mode="json", exclude_none=True)
    wagons = [_wagon(rng), _wagon(rng)]
    swap = dict(zip([w["number"] for w in data["wagons"]], wagons, strict=True))
    for w in data["wagons"]:
        w["number"] = swap[w["number"]]
    masses = [rng.randrange(60_000, 70_001, 50) for _ in data["goods"]]
    for g, mass in zip(data["goods"], masses, strict=True):
        g["wagon_number"], g["mass_kg"] = swap[g["wagon_number"]], mass
    data["goods_total_mass_kg"] = sum(masses)
    for s in data["seals"]:
        s["wagon_number"] = swap[s["wagon_number"]]
        s["marks"] = [f"КЗХ {s['wagon_number'][-4:]}-{n}" for n in (1, 2)]
    data["departure"] = {"esr": origin, "name": names.get(origin, origin), "railway": "KZH"}
    data["carriers"][0]["from_station"] = data["departure"]
    data["charges"][0]["from_esr"], data["charges"][0]["distance_km"] = origin, km
    data["consignor_declarations"] = (
        f"Синтетическая демо-отправка № {index} для отслеживания (synthetic demo)."
    )
    return data


def _stops(route: NoteRoute, view: Any, stations: dict[str, list[tuple[int, str]]]) -> None:
    """Stations of each section in route order (cached per section)."""
    for leg in route.legs:
        key = f"{leg.railway}:{leg.entry_esr}:{leg.exit_esr}"
        if key in stations:
            continue
        placed = []
        for esr, facts in view.router.data.stations.items():
            if facts.railway == leg.railway and esr not in (leg.entry_esr, leg.exit_esr):
                km = route.position(esr, view)
                if km is not None and leg.start_km < km < leg.start_km + leg.km:
                    placed.append((km, esr))
        placed.sort()
        step_ = max(len(placed) // 5, 1)
        stations[key] = placed[step_ // 2 :: step_][:5]


def _journey(route: NoteRoute, start: datetime, rng: random.Random,
             stations: dict[str, list[tuple[int, str]]], dispute: bool) -> list[Move]:  # fmt: skip
    """Departure, stops, border waits and acts, arrival and delivery, with synthetic times."""
    kmh = rng.uniform(24, 34)
    moves: list[Move] = []
    t = start + timedelta(hours=rng.uniform(4, 10))
    moves.append(Move(t, "event", "KZH", {"kind": "departure", "station": route.from_esr}))
    km_here = 0
    for index, leg in enumerate(route.legs):
        if index:
            t += timedelta(hours=rng.uniform(1, 3))
            moves.append(Move(t, "event", leg.railway, {"kind": "station_departure",
                                                        "station": leg.entry_esr}))  # fmt: skip
        key = f"{leg.railway}:{leg.entry_esr}:{leg.exit_esr}"
        for km, esr in [*stations[key], (leg.start_km + leg.km, leg.exit_esr)]:
            t += timedelta(hours=max(km - km_here, 0) / kmh)
            km_here = max(km, km_here)
            if esr == route.to_esr:
                break  # the arrival at the destination is its own event
            moves.append(Move(t, "event", leg.railway, {"kind": "station_arrival", "station": esr}))
            if esr == leg.exit_esr:
                break
            if rng.random() < 0.08:  # a customs or technical hold on the way
                reason = rng.choice(["customs", "technical"])
                moves.append(Move(t, "event", leg.railway, {"kind": "hold", "station": esr,
                                                            "hold": reason}))  # fmt: skip
                t += timedelta(hours=rng.uniform(6, 30))
                moves.append(Move(t, "event", leg.railway, {"kind": "release", "station": esr,
                                                            "hold": reason}))  # fmt: skip
            t += timedelta(hours=rng.uniform(0.5, 4))
            moves.append(Move(t, "event", leg.railway, {"kind": "station_departure",
                                                        "station": esr}))  # fmt: skip
        if index + 1 < len(route.legs):
            wait = min(max(rng.lognormvariate(3.6, 0.4), 12), 96)  # hours, around 40
            offered = t + timedelta(hours=wait * rng.uniform(0.4, 0.8))
            nxt = route.legs[index + 1].railway
            moves.append(Move(offered, "offer", leg.railway, {"to": nxt}))
            t += timedelta(hours=wait)
            if dispute and index == 1:  # a broken seal found: disputed, resealed, offered again
                left = t - offered
                moves.append(Move(offered + left / 4, "dispute", nxt, {}))
                moves.append(Move(offered + left / 2, "offer", leg.railway, {"to": nxt}))
            moves.append(Move(t, "decide", nxt, {}))
    t += timedelta(hours=rng.uniform(1, 5))
    delivered = t + timedelta(hours=rng.uniform(6, 20))
    moves += [
        Move(t, "event", "TDZ", {"kind": "arrival", "station": route.to_esr}),
        Move(t, "arrive", "TDZ", {}),
        Move(delivered, "event", "TDZ", {"kind": "delivery", "station": route.to_esr}),
        Move(delivered, "deliver", "TDZ", {}),
    ]
    return moves


class _Player:
    """Plays a journey's moves up to now through the real services."""

    def __init__(self, session: Session, users: dict[str, Actor], secret: str, note_id: str,
                 wagons: list[str], index: int) -> None:  # fmt: skip
        self.session, self.users, self.secret = session, users, secret
        self.note_id, self.wagons, self.index = note_id, wagons, index
        self.act_id: str | None = None
        self.lines = 0

    def play(self, moves: list[Move], now: datetime) -> str:
        state = "in transit"
        handlers: dict[str, Callable[[Move], None]] = {
            "event": self.event, "offer": self.offer, "decide": self.decide,
            "dispute": self.dispute, "arrive": self.arrive, "deliver": self.deliver,
        }  # fmt: skip
        for move in sorted(moves, key=lambda m: m.at):
            if move.at > now:
                break
            handlers[move.kind](move)
            state = {"arrive": "arrived", "deliver": "delivered"}.get(move.kind, state)
        return state

    def _actor(self, railway: str) -> Actor:
        return self.users[RAILWAYS[railway]]

    def event(self, move: Move) -> None:
        lines = []
        for unit in self.wagons:
            self.lines += 1
            line = {"key": f"{KEY}{self.index}:{unit}:{self.lines}", "kind": move.data["kind"],
                    "unit": unit, "station_esr": move.data["station"], "at": move.at.isoformat(),
                    "note_id": self.note_id, "remarks": REMARK}  # fmt: skip
            if "hold" in move.data:
                line["hold"] = move.data["hold"]
            lines.append((self.lines, line))
        outcome = service.ingest(self.session, self._actor(move.railway), lines)
        assert outcome.written, outcome.to_dict()  # the demo's own lines are well formed

    def offer(self, move: Move) -> None:
        act = acts.offer(self.session, self._actor(move.railway), self.note_id, at=move.at,
                         secret=self.secret)  # fmt: skip
        self.act_id = act.act_id

    def decide(self, move: Move) -> None:
        assert self.act_id is not None
        acts.accept(self.session, self._actor(move.railway), self.act_id, at=move.at,
                    secret=self.secret)  # fmt: skip

    def dispute(self, move: Move) -> None:
        assert self.act_id is not None
        seal = f"КЗХ {self.wagons[0][-4:]}-1"
        found = [{"kind": "seal_broken", "unit": self.wagons[0], "expected": seal,
                  "found": "broken", "remarks": REMARK}]  # fmt: skip
        acts.dispute(self.session, self._actor(move.railway), self.act_id, discrepancies=found,
                     at=move.at, secret=self.secret)  # fmt: skip

    def arrive(self, move: Move) -> None:
        notes.arrive(self.session, self._actor("TDZ"), self.note_id, at=move.at,
                     secret=self.secret)  # fmt: skip

    def deliver(self, move: Move) -> None:
        notes.deliver(self.session, self._actor("TDZ"), self.note_id, at=move.at,
                      received_by="Ф. Раҳимов (synthetic)", secret=self.secret)  # fmt: skip


@step("tracking", N_("Demo wagons in transit with events and handover acts (synthetic)"))
def demo_tracking(session: Session, actor: Actor, context: DemoContext) -> StepSummary:
    summary = StepSummary("tracking")
    table = DemoTable(N_("Demo wagons in transit (synthetic)"),
                      [N_("note"), N_("wagons"), N_("state")])  # fmt: skip
    existing = session.scalar(
        select(func.count()).select_from(TrackingEventRow)
        .where(TrackingEventRow.key.startswith(KEY))
    )  # fmt: skip
    if existing:
        summary.existing = int(existing)
        return summary
    names = [SHIPPER, *RAILWAYS.values()]
    try:
        users = {n: accounts_service.actor_for(session, n, Channel.SYSTEM) for n in names}
    except TemirError:  # the accounts step did not run: nothing to do
        return summary
    view = network(session)
    rng = random.Random(context.seed + 9)  # noqa: S311 - reproducible demo data, not a secret
    now = clock.now()
    starts = sorted(now - timedelta(days=rng.uniform(18, 110)) for _ in range(COMPLETED))
    starts += [now - timedelta(days=d) for d in (1.5, 3, 4.5, 6, 7.5, 9)][:IN_TRANSIT]
    stations: dict[str, list[tuple[int, str]]] = {}
    for index, start in enumerate(starts, start=1):
        origin = ORIGINS[index % len(ORIGINS)]
        km = view.tariff_distance("KZH", origin, "704101")
        assert km is not None  # every origin is on the KZH section to Saryagash (exp.)
        doc = _document(rng, index, origin, view.router.names, km.km)
        secret = context.secret_key
        shipper, kzh = users[SHIPPER], users[RAILWAYS["KZH"]]
        note_id = notes.create_note(session, shipper, doc, secret=secret).summary.id
        notes.submit(session, shipper, note_id)
        accepted = notes.accept(session, kzh, note_id, consignment_number=f"TRK{index:05d}",
                                contract_date=start, secret=secret)  # fmt: skip
        route = note_route(Note.model_validate(accepted.document), view)
        assert route is not None
        _stops(route, view, stations)
        wagons = [w["number"] for w in doc["wagons"]]
        moves = _journey(route, start, rng, stations, dispute=index % 7 == 3)
        state = _Player(session, users, secret, note_id, wagons, index).play(moves, now)
        summary.created += 1
        if index > COMPLETED - 2:
            table.rows.append([note_id, ", ".join(wagons), state])
    summary.tables.append(table)
    return summary
