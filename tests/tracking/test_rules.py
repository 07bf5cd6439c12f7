"""The pure rules of tracking: what a reported line must be, order, flags, custody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from temir.network.view import shipped_view as shipped_network
from temir.notes.example import example_note
from temir.tracking import rules
from temir.tracking.model import (
    ActStatus,
    ActUnit,
    Event,
    EventKind,
    HandoverAct,
    HandoverDecision,
    HandoverOffer,
    UnitKind,
)
from temir.tracking.route import NoteRoute
from temir.tracking.timeline import note_route
from tests.tracking.helpers import ALMATY_1, ARYS, KOSTANAY, KYZYLORDA, SARYAGASH_EXP

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
UTC5 = timezone(timedelta(hours=5))


def line(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": "k-1",
        "kind": "station_arrival",
        "unit": "95120341",
        "station_esr": KYZYLORDA,
        "at": "2026-03-05T10:00:00+05:00",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def check(raw: dict[str, object], own: str | None = "KZH", admin: bool = False) -> object:
    return rules.check_event(raw, now=NOW, own_railway=own, any_reporter=admin)


def codes(found: object) -> list[str]:
    assert isinstance(found, tuple), found
    return [p.code for p in found]


def test_a_good_line_is_an_event_in_utc_reported_by_the_actors_railway() -> None:
    found = check(line())
    assert isinstance(found, Event)
    assert found.at == datetime(2026, 3, 5, 5, 0, tzinfo=UTC)
    assert found.reporter == "KZH"
    assert found.unit_kind is UnitKind.WAGON


def test_every_broken_rule_of_a_line_is_reported_with_its_field() -> None:
    found = check(line(unit="95120342", station_esr="671708", at="2026-03-05T10:00", kind="x"))
    assert set(codes(found)) == {"event.kind", "event.unit", "esr.check_digit", "event.time_offset"}
    assert {p.field for p in found} == {"kind", "unit", "station_esr", "at"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": None}, "event.missing"),
        ({"at": "yesterday"}, "event.time"),
        ({"at": (NOW + timedelta(hours=2)).isoformat()}, "event.future"),
        ({"kind": "handover_accepted"}, "event.handover_by_act"),
        ({"kind": "hold"}, "event.hold_needed"),
        ({"hold": "customs"}, "event.hold_not_here"),
        ({"kind": "hold", "hold": "weather"}, "event.hold"),
        ({"reporter": "UTI"}, "event.other_reporter"),
        ({"reporter": "XYZ"}, "event.reporter"),
        ({"note_id": "not-a-uuid"}, "event.note_id"),
        ({"colour": "red"}, "event.unknown_field"),
        ({"remarks": "x" * 401}, "event.too_long"),
        ({"unit": ["95120341"]}, "event.not_text"),
    ],
)
def test_each_rule_of_a_line(changes: dict[str, object], code: str) -> None:
    assert code in codes(check(line(**changes)))


def test_an_administrator_must_name_the_reporter_and_may_name_any() -> None:
    assert "event.reporter_missing" in codes(check(line(), own=None, admin=True))
    found = check(line(reporter="29"), own=None, admin=True)
    assert isinstance(found, Event)
    assert found.reporter == "UTI"


def test_containers_and_uic_wagons_are_units_too() -> None:
    container = check(line(unit="CSQU3054383"))
    assert isinstance(container, Event)
    assert container.unit_kind is UnitKind.CONTAINER
    assert rules.parse_unit("csqu 305438 3") == ("CSQU3054383", UnitKind.CONTAINER)
    assert rules.parse_unit("CSQU3054384") is None


def test_a_line_without_a_key_gets_the_same_derived_key_each_time() -> None:
    a, b = check(line(key=None)), check(line(key=None, at="2026-03-05T05:00:00Z"))
    assert isinstance(a, Event)
    assert isinstance(b, Event)
    assert a.key == b.key
    assert a.key.startswith("auto:")
    other = check(line(key=None, station_esr=ARYS))
    assert isinstance(other, Event)
    assert other.key != a.key


def test_the_event_document_round_trips_and_leaves_out_empty_fields() -> None:
    found = check(line(remarks="  "))
    assert isinstance(found, Event)
    document = found.document()
    assert "remarks" not in document
    assert document["format"] == "temir-tracking-event/1"
    assert Event.from_document(document) == found


def _event(kind: str, esr: str, at: datetime, key: str) -> Event:
    return Event(key, EventKind(kind), "95120341", UnitKind.WAGON, esr, at, "KZH")


def test_events_are_ordered_by_event_time_not_by_arrival() -> None:
    t = datetime(2026, 3, 5, tzinfo=UTC)
    late = _event("station_departure", KYZYLORDA, t + timedelta(hours=1), "b")
    early = _event("station_arrival", KYZYLORDA, t, "a")
    same_departure = _event("station_departure", KOSTANAY, t, "c")
    assert rules.ordered([late, same_departure, early]) == [early, same_departure, late]


@pytest.fixture(scope="module")
def route() -> NoteRoute:
    found = note_route(example_note(), shipped_network())
    assert found is not None
    return found


def test_flags_mark_off_route_unknown_and_impossible_speed_but_keep_every_event(
    route: NoteRoute,
) -> None:
    t = datetime(2026, 3, 3, tzinfo=UTC)
    events = [
        _event("departure", KOSTANAY, t, "1"),
        _event("station_arrival", ALMATY_1, t + timedelta(hours=5), "2"),
        _event("station_arrival", "999990", t + timedelta(hours=6), "3"),
        _event("station_arrival", KYZYLORDA, t + timedelta(hours=10), "4"),  # 1688 km in 10 h
        _event("station_arrival", SARYAGASH_EXP, t + timedelta(days=5), "5"),
    ]
    found = rules.flags(events, route, shipped_network())
    assert len(found) == len(events)
    assert [[f.code for f in flags] for flags in found] == [
        [],
        ["off_route"],
        ["unknown_station"],
        ["impossible_speed"],
        [],
    ]
    message = found[3][0].message.text("en")
    assert "1,688 km" in message
    assert "169 km/h" in message


def test_the_same_instant_at_two_places_is_an_impossible_speed(route: NoteRoute) -> None:
    t = datetime(2026, 3, 3, tzinfo=UTC)
    events = [_event("departure", KOSTANAY, t, "1"), _event("station_arrival", ARYS, t, "2")]
    assert [f.code for f in rules.flags(events, route, shipped_network())[1]] == [
        "impossible_speed"
    ]


def test_positions_along_the_route_follow_tariff_km(route: NoteRoute) -> None:
    net = shipped_network()
    assert route.km == 2213 + 875 + 63
    assert route.position(KOSTANAY, net) == 0
    assert route.position(KYZYLORDA, net) == 1688
    assert route.position(SARYAGASH_EXP, net) == 2213
    assert route.position("720602", net) == 2213  # Келес (эксп.), UTI's entry
    assert route.position("745309", net) == 3151
    assert route.position(ALMATY_1, net) is None


def _act(
    act_id: str, to: str, status: ActStatus, hours: int, units: tuple[str, ...]
) -> HandoverAct:
    at = datetime(2026, 3, 6, tzinfo=UTC) + timedelta(hours=hours)
    offer = HandoverOffer(
        act_id, "n", 2, "KZH", to, SARYAGASH_EXP, "720602", at,
        tuple(ActUnit(u, UnitKind.WAGON) for u in units),
    )  # fmt: skip
    decision = None
    if status is not ActStatus.OFFERED:
        decision = HandoverDecision(act_id, "d" * 64, status, at + timedelta(hours=1))
    return HandoverAct(offer, "d" * 64, status, decision)


def test_custody_moves_only_on_an_accepted_act_and_only_for_its_units() -> None:
    units = ["A", "B", "C"]
    acts = [
        _act("1", "UTI", ActStatus.OFFERED, 0, ("A", "B", "C")),
        _act("2", "UTI", ActStatus.DISPUTED, 1, ("A",)),
        _act("3", "UTI", ActStatus.ACCEPTED, 2, ("B",)),
    ]
    assert rules.custody(units, "KZH", acts) == {"A": "KZH", "B": "UTI", "C": "KZH"}
    assert rules.custody(units, None, []) == {"A": None, "B": None, "C": None}


@pytest.mark.parametrize(
    "remarks",
    [None, "Задержан таможней «Келес»", 'quote " and \\ slash', "tab\tnew\nline\r", "😀"],
)
def test_the_event_digest_is_the_rfc_8785_digest(remarks: str | None) -> None:
    import hashlib

    import rfc8785

    from temir.tracking.service import document_digest

    found = check(line(remarks=remarks))
    assert isinstance(found, Event)
    document = found.document()
    assert document_digest(document) == hashlib.sha256(rfc8785.dumps(document)).hexdigest()
