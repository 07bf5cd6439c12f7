"""Pure decisions about events: is a reported line an event, in which order do events go, which
look wrong, and which railway has each wagon.

Why checked here and not by a schema library: a bulk file of a million lines from a railway's
own system must come back with *every* bad line named by line, field and rule, in the reader's
language, and must not cost more than the insert itself. Each field is read once, in a few
string operations; codes are checked with :mod:`temir.codes`.

Wrong-looking but well-formed events — a station off the note's route, a speed no freight train
reaches, a code the network does not know — are *flagged*, never dropped (:func:`flags`): the
report may be right and the note wrong, and either way the railway must see it. Pure module.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from temir.codes import find_railway
from temir.codes.container import examine_container
from temir.codes.esr import examine_esr
from temir.codes.uic import examine_uic_wagon
from temir.codes.wagon import examine_wagon
from temir.kit.errors import Problem
from temir.kit.messages import Message, define
from temir.kit.text import has_control_characters
from temir.tracking.model import (
    HANDOVER_KINDS,
    KIND_ORDER,
    ActStatus,
    Event,
    EventKind,
    HandoverAct,
    HoldReason,
    UnitKind,
    utc,
)
from temir.tracking.route import NoteRoute, Stations

FIELDS: Final = (
    "key",
    "kind",
    "unit",
    "station_esr",
    "at",
    "reporter",
    "note_id",
    "hold",
    "remarks",
)
"""The fields of a reported event, in the order of the CSV columns."""
KEY_MAX: Final = 100
REMARKS_MAX: Final = 400
FUTURE_SLACK: Final = timedelta(minutes=15)


def event_schema() -> dict[str, Any]:
    """The JSON schema of one reported event, as the OpenAPI contract declares it.

    Built from the same fields, limits and kinds :func:`check_event` applies, so the contract
    cannot drift from the rules. What a schema cannot say stays with the rules: check digits
    of the unit and station codes, a time in the future, which railway may report, a hold
    reason that belongs to the kind.
    """
    single_line = r"^[^\x00-\x1f\x7f]*$"
    text = {"type": "string", "maxLength": KEY_MAX, "pattern": single_line}
    kinds = [str(k) for k in EventKind if k not in HANDOVER_KINDS]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["kind", "unit", "station_esr", "at"],
        "properties": {
            "key": {**text, "description": "The reporter's id of the event (idempotency)."},
            "kind": {"type": "string", "enum": kinds},
            "unit": {
                "type": "string",
                "pattern": r"^([0-9]{8}|[0-9]{12}|[A-Z]{4}[0-9]{7})$",
                "description": "Wagon (8 or 12 digits) or container (ISO 6346) number.",
            },
            "station_esr": {"type": "string", "pattern": r"^[0-9]{6}$"},
            "at": {"type": "string", "format": "date-time"},
            "reporter": {**text, "description": "Railway code; default: the caller's."},
            "note_id": {"type": "string", "format": "uuid"},
            "hold": {"type": "string", "enum": [str(h) for h in HoldReason]},
            "remarks": {"type": "string", "maxLength": REMARKS_MAX},
        },
    }


"""Clocks of reporting systems drift; an event further ahead of ours than this is refused."""
MAX_PLAUSIBLE_KMH: Final = 120
"""Above this average between two reports no freight train on 1520 mm lines in the region
runs (design speeds are 80–90 km/h): one of the two reports has the wrong time or station."""


def _m(msgid: str) -> str:
    return define("tracking", msgid)


MISSING = _m("The field {field} is required.")
TOO_LONG = _m("The field {field} has at most {max} characters.")
UNKNOWN_FIELD = _m("Unknown field {field}; the fields are: {fields}.")
BAD_KIND = _m("Unknown event kind {value}; one of: {choices}.")
HANDOVER_BY_ACT = _m(
    "A {kind} event is written by the handover act itself: use the handover offer, accept "
    "and dispute steps."
)
BAD_UNIT = _m(
    "{value} is neither a wagon number (8 digits, or 12 UIC) nor a container number (ISO 6346)."
)
BAD_TIME = _m("The time {value} is not an ISO 8601 date and time.")
NAIVE_TIME = _m("The time {value} has no UTC offset (e.g. +05:00): the instant is unknown.")
FUTURE_TIME = _m("The time {value} is in the future.")
HOLD_NEEDED = _m("A {kind} event says which hold: one of {choices}.")
HOLD_NOT_HERE = _m("Only hold and release events have a hold reason.")
BAD_HOLD = _m("Unknown hold reason {value}; one of: {choices}.")
BAD_REPORTER = _m("Unknown railway {value}.")
OTHER_REPORTER = _m("You report for {own}; this line reports for {value}.")
NO_REPORTER = _m("Say which railway reports this event (reporter).")
BAD_NOTE_ID = _m("The note id {value} is not a UUID.")
NOT_TEXT = _m("The field {field} must be text.")
CONTROL = _m("The field {field} holds a control character (such as NUL); remove it.")


@dataclass(frozen=True)
class Rejected:
    """A line that is not an event: where it was and every reason why."""

    line: int
    problems: tuple[Problem, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"line": self.line, "problems": [p.to_dict(lang) for p in self.problems]}


def _problem(code: str, msgid: str, where: str, /, **params: Any) -> Problem:
    """A problem of field ``where``; ``params`` fill the message (and may name a ``field``)."""
    return Problem(code, msgid, where, params)


def derived_key(unit: str, kind: str, station: str, at: datetime, reporter: str) -> str:
    """A key for a line that brings none: the same fact reported twice gets the same key."""
    text = f"{unit}|{kind}|{station}|{utc(at).isoformat()}|{reporter}"
    return "auto:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@functools.lru_cache(maxsize=65_536)
def parse_unit(text: str) -> tuple[str, UnitKind] | None:
    """A wagon number (8-digit 1520 mm or 12-digit UIC) or an ISO 6346 container number.

    Memoised: a file reports the same few thousand wagons over and over."""
    value = text.strip().upper().replace(" ", "")
    if value.isdigit():
        found = (examine_wagon if len(value) == 8 else examine_uic_wagon)(value)
        return (found.normalized, UnitKind.WAGON) if found.normalized else None
    found = examine_container(value)
    return (found.normalized, UnitKind.CONTAINER) if found.normalized else None


def railway_abbr(text: str) -> str | None:
    """The OSJD Latin abbreviation (``KZH``) of a railway named by any of its codes."""
    found = find_railway(text) if text else None
    return (found.latin or found.numeric) if found else None


def _time(value: Any, problems: list[Problem]) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            problems.append(_problem("event.time", BAD_TIME, "at", value=text[:40]))
            return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        problems.append(_problem("event.time_offset", NAIVE_TIME, "at", value=str(value)[:40]))
        return None
    return utc(parsed)


_TEXT_FIELDS: Final = tuple((name, REMARKS_MAX if name == "remarks" else KEY_MAX)
                             for name in FIELDS if name != "at")  # fmt: skip
_FIELD_SET: Final = frozenset(FIELDS)


def _texts(raw: Mapping[str, Any], problems: list[Problem]) -> dict[str, str | None]:
    """Each text field stripped (empty is absent), or a problem: not text, or too long.

    One loop, no call per field: a bulk file runs this for every line."""
    out: dict[str, str | None] = {}
    get = raw.get
    for name, limit in _TEXT_FIELDS:
        value = get(name)
        if value is None:
            out[name] = None
            continue
        if type(value) is str:
            text = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        else:
            problems.append(_problem("event.not_text", NOT_TEXT, name, field=name))
            out[name] = None
            continue
        if len(text) > limit:
            problems.append(_problem("event.too_long", TOO_LONG, name, field=name, max=limit))
            out[name] = None
            continue
        if has_control_characters(text, lines=name == "remarks"):
            problems.append(_problem("event.control", CONTROL, name, field=name))
            out[name] = None
            continue
        out[name] = text or None
    return out


def check_event(
    raw: Mapping[str, Any], *, now: datetime, own_railway: str | None, any_reporter: bool
) -> Event | tuple[Problem, ...]:
    """The event a reported line describes, or every rule it breaks.

    ``own_railway`` is the reporting actor's railway: a line names it or no railway at all
    (it is filled in). ``any_reporter`` (administrators, a peer node's inbox) accepts any known
    railway as reporter.
    """
    problems: list[Problem] = []
    unknown = [k for k in raw if k not in _FIELD_SET]
    if unknown:
        problems.append(
            _problem(
                "event.unknown_field",
                UNKNOWN_FIELD,
                str(unknown[0])[:40],
                field=str(unknown[0])[:40],
                fields=", ".join(FIELDS),
            )
        )
    texts = _texts(raw, problems)
    for name in ("kind", "unit", "station_esr"):
        if texts[name] is None and not any(p.field == name for p in problems):
            problems.append(_problem("event.missing", MISSING, name, field=name))
    at = None
    if raw.get("at") in (None, ""):
        problems.append(_problem("event.missing", MISSING, "at", field="at"))
    else:
        at = _time(raw["at"], problems)
        if at is not None and at > now + FUTURE_SLACK:
            problems.append(_problem("event.future", FUTURE_TIME, "at", value=at.isoformat()))
    kind = _kind(texts["kind"], problems)
    unit = None
    if texts["unit"]:
        unit = parse_unit(texts["unit"])
        if unit is None:
            problems.append(_problem("event.unit", BAD_UNIT, "unit", value=texts["unit"][:20]))
    station = None
    if texts["station_esr"]:
        station, station_problems = _station(texts["station_esr"])
        problems += station_problems
    hold = _hold(kind, texts["hold"], problems)
    reporter = _reporter(texts["reporter"], own_railway, any_reporter, problems)
    note_id = _note_id(texts["note_id"], problems)
    if problems or kind is None or unit is None or station is None or at is None:
        return tuple(problems)
    assert reporter is not None  # _reporter added a problem otherwise
    key = texts["key"] or derived_key(unit[0], str(kind), station, at, reporter)
    return Event(
        key=key,
        kind=kind,
        unit=unit[0],
        unit_kind=unit[1],
        station_esr=station,
        at=at,
        reporter=reporter,
        note_id=note_id,
        hold=hold,
        remarks=texts["remarks"],
    )


@functools.lru_cache(maxsize=65_536)
def _station(text: str) -> tuple[str | None, tuple[Problem, ...]]:
    """The ESR code and its problems, named for the ``station_esr`` field (memoised: a railway
    has a few thousand codes)."""
    checked = examine_esr(text)
    problems = tuple(
        Problem(p.code, p.msgid, "station_esr", p.params, p.severity) for p in checked.problems
    )
    return checked.normalized, problems


def _kind(text: str | None, problems: list[Problem]) -> EventKind | None:
    if text is None:
        return None
    try:
        kind = EventKind(text.lower())
    except ValueError:
        choices = ", ".join(k for k in EventKind if k not in HANDOVER_KINDS)
        problems.append(_problem("event.kind", BAD_KIND, "kind", value=text[:40], choices=choices))
        return None
    if kind in HANDOVER_KINDS:
        problems.append(_problem("event.handover_by_act", HANDOVER_BY_ACT, "kind", kind=str(kind)))
        return None
    return kind


def _hold(kind: EventKind | None, text: str | None, problems: list[Problem]) -> HoldReason | None:
    choices = ", ".join(HoldReason)
    needs = kind in (EventKind.HOLD, EventKind.RELEASE)
    if text is None:
        if needs:
            problems.append(
                _problem("event.hold_needed", HOLD_NEEDED, "hold", kind=str(kind), choices=choices)
            )
        return None
    if kind is not None and not needs:
        problems.append(_problem("event.hold_not_here", HOLD_NOT_HERE, "hold"))
        return None
    try:
        return HoldReason(text.lower())
    except ValueError:
        problems.append(_problem("event.hold", BAD_HOLD, "hold", value=text[:40], choices=choices))
        return None


def _reporter(
    text: str | None, own: str | None, any_reporter: bool, problems: list[Problem]
) -> str | None:
    if text is None:
        if own is None:
            problems.append(_problem("event.reporter_missing", NO_REPORTER, "reporter"))
        return own
    abbr = railway_abbr(text)
    if abbr is None:
        problems.append(_problem("event.reporter", BAD_REPORTER, "reporter", value=text[:20]))
        return None
    if not any_reporter and abbr != own:
        problems.append(
            _problem("event.other_reporter", OTHER_REPORTER, "reporter", own=own or "-", value=abbr)
        )
        return None
    return abbr


def _note_id(text: str | None, problems: list[Problem]) -> str | None:
    if text is None:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        problems.append(_problem("event.note_id", BAD_NOTE_ID, "note_id", value=text[:40]))
        return None


# --- order and flags ---------------------------------------------------------------------------
def ordered(events: Iterable[Event]) -> list[Event]:
    """By event time, whatever order they arrived in; same instant: the order a wagon lives."""
    return sorted(events, key=lambda e: (e.at, KIND_ORDER[e.kind], e.key))


FLAG_UNKNOWN_STATION = _m("Station {esr} is not in the network (TR-4).")
FLAG_OFF_ROUTE = _m("Station {esr} is not on the route of the note.")
FLAG_SPEED = _m(
    "{km} km from {previous} in {hours} h is {kmh} km/h: faster than any freight train; "
    "one of the two reports is wrong."
)


@dataclass(frozen=True)
class Flag:
    """Why an event looks wrong (kept and shown, never dropped)."""

    code: str
    message: Message

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"code": self.code, "message": self.message.text(lang)}


def _hours(delta: timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / 3600).quantize(Decimal("0.1"))


def positions(
    events: Sequence[Event], route: NoteRoute | None, stations: Stations
) -> list[int | None]:
    """Km from the route's origin of each event's station (None: unknown or off the route)."""
    if route is None:
        return [None] * len(events)
    cache: dict[str, int | None] = {}
    out: list[int | None] = []
    for event in events:
        esr = event.station_esr
        if esr not in cache:
            cache[esr] = route.position(esr, stations)
        out.append(cache[esr])
    return out


def flags(
    events: Sequence[Event],
    route: NoteRoute | None,
    stations: Stations,
    where: Sequence[int | None] | None = None,
) -> list[tuple[Flag, ...]]:
    """The flags of each of ``events`` (already :func:`ordered`), in the same order.

    Off the route: the station is not between the entry and exit of its railway's section of
    box 22. Speed: between two events placed on the route, tariff km over elapsed hours; the
    later event carries the flag.
    """
    where = positions(events, route, stations) if where is None else where
    out: list[tuple[Flag, ...]] = []
    last: tuple[int, Event] | None = None
    for event, km in zip(events, where, strict=True):
        found: list[Flag] = []
        esr = event.station_esr
        if stations.station(esr) is None:
            found.append(Flag("unknown_station", Message.of(FLAG_UNKNOWN_STATION, esr=esr)))
        elif route is not None and km is None:
            found.append(Flag("off_route", Message.of(FLAG_OFF_ROUTE, esr=esr)))
        if km is not None:
            if last is not None:
                found += _speed(last, km, event)
            last = (km, event)
        out.append(tuple(found))
    return out


def _speed(last: tuple[int, Event], km: int, event: Event) -> list[Flag]:
    previous_km, previous = last
    distance = abs(km - previous_km)
    seconds = (event.at - previous.at).total_seconds()
    if distance == 0:
        return []
    if seconds <= 0 or distance / (seconds / 3600) > MAX_PLAUSIBLE_KMH:
        hours = _hours(event.at - previous.at)
        kmh = "∞" if seconds <= 0 else str(round(distance / (seconds / 3600)))
        message = Message.of(
            FLAG_SPEED, km=distance, previous=previous.station_esr, hours=hours, kmh=kmh
        )
        return [Flag("impossible_speed", message)]
    return []


# --- custody -----------------------------------------------------------------------------------
def custody(
    units: Iterable[str], contractual: str | None, acts: Iterable[HandoverAct]
) -> dict[str, str | None]:
    """The railway in custody of each unit: the contractual carrier from acceptance, then the
    incoming railway of each *accepted* act naming the unit, in order of acceptance. An act
    offered or disputed moves nothing."""
    out: dict[str, str | None] = dict.fromkeys(units, contractual)
    accepted = sorted(
        (a for a in acts if a.status is ActStatus.ACCEPTED and a.accepted_at is not None),
        key=lambda a: (a.accepted_at, a.act_id),
    )
    for act in accepted:
        for number in act.offer.unit_numbers():
            if number in out:
                out[number] = act.offer.to_railway
    return out


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Elapsed hours, one decimal place."""
    return _hours(end - start)
