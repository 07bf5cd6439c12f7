"""The SMGS note checked box by box: what is missing, mistyped, off the network or inconsistent.

Why rules as data: a consignor must be told *exactly* what to fix — which box, which rule, in
Russian or English — and a carrier's system must be able to rely on the rule id. Each rule is
declared once in :data:`RULES` with a stable id (``N-<box>-<WHAT>``, box ``000`` for the whole
note), its box, severity and English message (translated in ``locale/ru/LC_MESSAGES/notes.po``).
Errors block submission; warnings are shown but do not.

Speed matters (a railway re-validates whole batches): code checks are memoised per code, the
network answers from dictionaries and the route engine's precomputed tariff tables
(:class:`~temir.notes.network.NetworkView`), and one pass over the note appends issues to a list.
Pure: no I/O beyond what the view was built from.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, get_args

from pydantic import BaseModel, ValidationError

from temir.codes import find_railway
from temir.codes.container import examine_container
from temir.codes.esr import examine_esr
from temir.codes.etsng import examine_etsng
from temir.codes.gng import examine_gng
from temir.codes.uic import examine_uic_wagon
from temir.codes.wagon import examine_wagon
from temir.kit.errors import Problem, Severity
from temir.kit.i18n import translate
from temir.kit.messages import Message, define
from temir.network.routing.model import Method
from temir.notes.model import (
    CHARGING_LETTERS,
    ChargingSection,
    Money,
    Note,
    StationRef,
    field_box,
)
from temir.notes.network import NetworkView

ERROR, WARNING = Severity.ERROR, Severity.WARNING


class Stage(StrEnum):
    """How far the note has come: acceptance for carriage also needs boxes 26 and 29."""

    SUBMISSION = "submission"
    ACCEPTANCE = "acceptance"


@dataclass(frozen=True, slots=True)
class NoteRule:
    id: str
    box: int | None
    severity: Severity
    msgid: str

    def issue(self, path: str | None = None, cause: Problem | None = None, **params: Any) -> Issue:
        return Issue(self.id, self.box, self.severity, self.msgid, params, path, cause)


@dataclass(frozen=True, slots=True)
class Issue:
    """One broken rule in one note: rule id, box, severity and where (``goods[1].gng``)."""

    rule: str
    box: int | None
    severity: Severity
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None
    cause: Problem | None = None

    def message(self, lang: str = "en") -> str:
        params = _rendered(self.params, lang)
        if self.cause is not None:
            params["reason"] = self.cause.message(lang)
        return translate(self.msgid, lang, **params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "box": self.box,
            "severity": str(self.severity),
            "message": self.message(lang),
            "path": self.path,
        }

    def problem(self) -> Problem:
        """The same issue as a kit :class:`Problem` (for :class:`ValidationFailed`)."""
        where = f"box {self.box}" if self.box is not None else self.path
        params = _rendered(self.params, "en")
        if self.cause is not None:
            params["reason"] = self.cause.message("en")
        return Problem(self.rule, self.msgid, where, params, self.severity)


def _rendered(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Parameters as shown: a :class:`Message` parameter (a TR-4 method name) in ``lang``."""
    return {k: v.text(lang) if isinstance(v, Message) else v for k, v in params.items()}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    valid: bool
    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is WARNING)

    def rule_ids(self) -> set[str]:
        return {i.rule for i in self.issues}

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"valid": self.valid, "issues": [i.to_dict(lang) for i in self.issues]}


RULES: dict[str, NoteRule] = {}


def _rule(rule_id: str, box: int | None, severity: Severity, msgid: str) -> NoteRule:
    if rule_id in RULES:
        raise ValueError(f"note rule {rule_id} declared twice")
    RULES[rule_id] = declared = NoteRule(rule_id, box, severity, msgid)
    return declared


# --- input shape -------------------------------------------------------------------------------
JSON = _rule("N-000-JSON", None, ERROR, "The note is not valid JSON: {detail}.")
TOO_BIG = _rule(
    "N-000-SIZE", None, ERROR, "The note is {size} bytes; at most {limit} are accepted."
)
READ = _rule("N-000-READ", None, ERROR, "Cannot read {name}: missing, unreadable or too large.")
SCHEMA = _rule("N-000-SCHEMA", None, ERROR, "Field {field} is invalid: {detail}.")
LANG = _rule(
    "N-000-LANG",
    None,
    ERROR,
    "A note departing from {country} must be filled in '{expected}', not '{language}'.",
)
# --- required boxes ----------------------------------------------------------------------------
REQ_1 = _rule("N-001-REQ", 1, ERROR, "Box 1: the consignor's name and address are required.")
CLIENT_1 = _rule(
    "N-001-CODE", 1, WARNING, "Box 1: the consignor's client code should be 4–16 digits."
)
REQ_2 = _rule("N-002-REQ", 2, ERROR, "Box 2: the departure station code is required.")
REQ_4 = _rule("N-004-REQ", 4, ERROR, "Box 4: the consignee's name and address are required.")
CLIENT_4 = _rule(
    "N-004-CODE", 4, WARNING, "Box 4: the consignee's client code should be 4–16 digits."
)
REQ_5 = _rule("N-005-REQ", 5, ERROR, "Box 5: the destination station code is required.")
REQ_7 = _rule("N-007-REQ", 7, ERROR, "Box 7: at least one wagon is required.")
REQ_8 = _rule(
    "N-008-REQ", 8, ERROR, "Box 8: say who provided wagon {wagon} (consignor or carrier)."
)
REQ_15 = _rule("N-015-REQ", 15, ERROR, "Box 15: at least one line of goods is required.")
DESC_15 = _rule("N-015-DESC", 15, ERROR, "Box 15: goods line {line} has no description.")
REQ_16 = _rule("N-016-REQ", 16, ERROR, "Box 16: goods line {line} has no type of packing.")
REQ_18 = _rule("N-018-REQ", 18, ERROR, "Box 18: goods line {line} has no mass.")
REQ_22 = _rule("N-022-REQ", 22, ERROR, "Box 22: at least one carrier with its section is required.")
REQ_26 = _rule("N-026-REQ", 26, ERROR, "Box 26: the date of the contract of carriage is required.")
REQ_29 = _rule("N-029-REQ", 29, ERROR, "Box 29: the consignment number is required.")
# --- codes -------------------------------------------------------------------------------------
ESR: Final = {
    b: _rule(f"N-{b:03d}-ESR", b, ERROR, f"Box {b}: station code {{value}} is invalid: {{reason}}")
    for b in (2, 5, 6, 22, 31, 32, 33, 34, 36, 37)
}
WAGON_7 = _rule("N-007-WAGON", 7, ERROR, "Box 7: wagon number {value} is invalid: {reason}")
WAGON_DUP = _rule("N-007-DUP", 7, ERROR, "Box 7: wagon {value} is listed twice.")
RAILWAY_7 = _rule("N-007-RAILWAY", 7, ERROR, "Box 7: unknown railway {value} of wagon {wagon}.")
CONTAINER_15 = _rule(
    "N-015-CONTAINER", 15, ERROR, "Box 15: container number {value} is invalid: {reason}"
)
ETSNG_15 = _rule("N-015-ETSNG", 15, ERROR, "Box 15: ETSNG code {value} is invalid: {reason}")
ETSNG_RZD = _rule(
    "N-015-ETSNG-RZD", 15, ERROR, "Box 15: goods line {line} needs an ETSNG code for RZD carriage."
)
GNG_15 = _rule("N-015-GNG", 15, ERROR, "Box 15: GNG code {value} is invalid: {reason}")
GNG_UNKNOWN = _rule(
    "N-015-GNG-UNKNOWN",
    15,
    WARNING,
    "Box 15: GNG code {value} is not in the shipped GNG list (edition unknown); check it.",
)
SCRIPT_15 = _rule(
    "N-015-SCRIPT", 15, WARNING, "Box 15: the description of goods line {line} is not in Russian."
)
CARRIER_22 = _rule("N-022-CARRIER", 22, ERROR, "Box 22: unknown carrier {value}.")
CARRIER_23 = _rule("N-023-CARRIER", 23, ERROR, "Box 23: unknown carrier {value}.")
PAYMENT_23 = _rule(
    "N-023-MISSING", 23, WARNING, "Box 23: no payer is given for carrier {carrier}'s section."
)
# --- network -----------------------------------------------------------------------------------
UNKNOWN: Final = {
    b: _rule(f"N-{b:03d}-UNKNOWN", b, ERROR, f"Box {b}: station {{value}} is not on the network.")
    for b in (2, 5, 6, 22)
}
FREIGHT: Final = {
    b: _rule(
        f"N-{b:03d}-FREIGHT",
        b,
        ERROR,
        f"Box {b}: station {{value}} ({{name}}) is not open for freight operations.",
    )
    for b in (2, 5)
}
RAILWAY_2 = _rule(
    "N-002-RAILWAY", 2, WARNING, "Box 2: station {value} belongs to {actual}, not {given}."
)
RAILWAY_5 = _rule(
    "N-005-RAILWAY", 5, WARNING, "Box 5: station {value} belongs to {actual}, not {given}."
)
SAME_5 = _rule("N-005-SAME", 5, ERROR, "Box 5: the destination is the departure station.")
NOT_BORDER_6 = _rule(
    "N-006-NOT-BORDER", 6, ERROR, "Box 6: station {value} ({name}) is not a border crossing code."
)
# --- route -------------------------------------------------------------------------------------
START_22 = _rule(
    "N-022-START",
    22,
    ERROR,
    "Box 22: the first carrier's section starts at {value}, "
    "not at the departure station {expected}.",
)
END_22 = _rule(
    "N-022-END",
    22,
    ERROR,
    "Box 22: the last carrier's section ends at {value}, "
    "not at the destination station {expected}.",
)
OWN_22 = _rule(
    "N-022-OWN",
    22,
    ERROR,
    "Box 22: station {value} of {carrier}'s section belongs to {actual}, not to {carrier}.",
)
SECTION_22 = _rule(
    "N-022-SECTION",
    22,
    ERROR,
    "Box 22: {carrier}'s own lines do not join {from_esr} and {to_esr}"
    " (no {carrier} tariff distance between them).",
)
JOIN_22 = _rule(
    "N-022-JOIN",
    22,
    ERROR,
    "Box 22: section {index} ends at {value} but the next starts at {next_value}; "
    "they are not a border crossing pair.",
)
ROUTE_6 = _rule(
    "N-006-ROUTE",
    6,
    ERROR,
    "Box 6: border station {value} is not where the carriers of box 22 hand over.",
)
MISSING_6 = _rule(
    "N-006-MISSING",
    6,
    ERROR,
    "Box 6: the crossing {a}/{b} between carriers in box 22 is not listed.",
)
# --- masses ------------------------------------------------------------------------------------
ZERO_18 = _rule("N-018-ZERO", 18, ERROR, "Box 18: goods line {line} has a mass of 0 kg.")
TOTAL_18 = _rule(
    "N-018-TOTAL", 18, ERROR, "Box 18: the total {total} kg is not the sum of the lines, {sum} kg."
)
WAGON_18 = _rule(
    "N-018-WAGON", 18, ERROR, "Box 15: goods line {line} names wagon {value}, not listed in box 7."
)
ASSIGN_18 = _rule(
    "N-018-ASSIGN",
    18,
    WARNING,
    "Box 15: with several wagons, goods line {line} should name its wagon.",
)
CAPACITY_9 = _rule(
    "N-009-CAPACITY",
    9,
    ERROR,
    "Box 9: wagon {wagon} carries {mass} kg, over its load capacity of {capacity} kg.",
)
EMPTY_WAGON_7 = _rule("N-007-EMPTY", 7, WARNING, "Box 7: no goods line is loaded in wagon {wagon}.")
CHARGEABLE_39 = _rule(
    "N-039-MASS",
    39,
    WARNING,
    "Box 39: chargeable mass {value} kg of section {letter} is below the goods mass {mass} kg.",
)
SEALS_19 = _rule(
    "N-019-COUNT", 19, WARNING, "Box 19: {count} seals declared but {marks} marks given."
)
# --- dates -------------------------------------------------------------------------------------
ORDER_27 = _rule(
    "N-027-ORDER",
    27,
    ERROR,
    "Box 27: the arrival date {value} is before the contract date {start}.",
)
ORDER_33 = _rule(
    "N-033-ORDER",
    33,
    ERROR,
    "Box 33: the handover at {value} is not between the contract date and arrival "
    "({start} – {end}).",
)
ORDER_34 = _rule(
    "N-034-ORDER",
    34,
    ERROR,
    "Box 34: the border passage at {value} is not between the contract date and arrival "
    "({start} – {end}).",
)
ORDER_35 = _rule(
    "N-035-ORDER", 35, ERROR, "Box 35: the arrival notice {value} is before the arrival {end}."
)
ORDER_36 = _rule(
    "N-036-ORDER",
    36,
    ERROR,
    "Box 36: the delivery {value} is before the arrival or the contract date ({start} – {end}).",
)
# --- charges -----------------------------------------------------------------------------------
LETTER_37 = _rule(
    "N-037-LETTER", 37, ERROR, "Box 37: charging section {index} must be lettered {expected}."
)
CURRENCY: Final = {
    b: _rule(
        f"N-{b:03d}-CURRENCY",
        b,
        ERROR,
        f"Box {b}: amount in {{value}} but the currency of section {{letter}} is {{expected}}.",
    )
    for b in range(48, 60)
}
KM_38 = _rule(
    "N-038-KM",
    38,
    WARNING,
    "Box 38: section {letter} gives {value} km, but the TR-4 tariff distance"
    " {from_esr}–{to_esr} on {carrier} is {expected} km ({method}).",
)
NO_KM_38 = _rule(
    "N-038-NO-KM",
    38,
    WARNING,
    "Box 38: section {letter}: {carrier}'s own lines do not join {from_esr} and {to_esr},"
    " so there is no {carrier} tariff distance to check {value} km against.",
)
METHOD_NAMES: Final = {
    Method.SAME: define("notes", "the same code"),
    Method.BOOK1: define("notes", "TR-4 Book 1, official"),
    Method.BOOK2: define("notes", "TR-4 Book 2, official"),
    Method.BOOK3: define("notes", "TR-4 Book 3, official"),
    Method.FALLBACK: define(
        "notes", "fallback over chained Book 1 sections, not an official TR-4 figure"
    ),
}
"""How each engine method is named to the user in the box 38 warning."""
SUM_56 = _rule(
    "N-056-SUM",
    56,
    ERROR,
    "Box {box}: section {letter} total {value} is not carriage + additional charges, {expected}.",
)
SUM_60 = _rule(
    "N-060-SUM", 60, ERROR, "Box {box}: grand total {value} is not the sum of sections, {expected}."
)

# --- language (domain.md §1.1, ⚠️ secondary source: a forwarder's page) -------------------------
RUSSIAN_COUNTRIES: Final = frozenset(
    {
        "AZ",
        "BY",
        "BG",
        "GE",
        "IR",
        "KZ",
        "KG",
        "LV",
        "LT",
        "MD",
        "PL",
        "RU",
        "TJ",
        "TM",
        "UZ",
        "UA",
        "EE",
    }
)
CHINESE_OR_RUSSIAN_COUNTRIES: Final = frozenset({"VN", "CN", "KP"})


def rule_catalogue(lang: str = "en") -> list[dict[str, Any]]:
    """Every rule, for documentation and the API: id, box, severity, message template."""
    return [
        {
            "rule": r.id,
            "box": r.box,
            "severity": str(r.severity),
            "message": translate(r.msgid, lang),
        }
        for r in RULES.values()
    ]


# --- memoised code checks ----------------------------------------------------------------------
_CACHE = 65_536


@functools.lru_cache(maxsize=_CACHE)
def _esr_problem(code: str) -> Problem | None:
    problems = examine_esr(code).problems
    return problems[0] if problems else None


@functools.lru_cache(maxsize=_CACHE)
def _wagon_problem(number: str) -> Problem | None:
    digits = number.replace(" ", "").replace("-", "")
    outcome = examine_uic_wagon(number) if len(digits) == 12 else examine_wagon(number)
    return outcome.problems[0] if outcome.problems else None


@functools.lru_cache(maxsize=_CACHE)
def _container_problem(number: str) -> Problem | None:
    problems = examine_container(number).problems
    return problems[0] if problems else None


@functools.lru_cache(maxsize=_CACHE)
def _etsng_problem(code: str) -> Problem | None:
    problems = examine_etsng(code).problems
    return problems[0] if problems else None


@functools.lru_cache(maxsize=_CACHE)
def _gng_problem(code: str) -> Problem | None:
    problems = examine_gng(code).problems
    return problems[0] if problems else None


@functools.lru_cache(maxsize=1024)
def railway_abbr(code: str) -> str | None:
    """OSJD Latin abbreviation (``KZH``) for ``27``, ``KZH`` or ``КЗХ``; ``None`` if unknown."""
    found = find_railway(code) if code else None
    return (found.latin or found.numeric) if found else None


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _client_code_ok(code: str | None) -> bool:
    return code is None or (code.isascii() and code.isdigit() and 4 <= len(code) <= 16)


# --- the checks --------------------------------------------------------------------------------
class _Checker:
    """One validation pass; ``out`` collects issues in box order of discovery."""

    __slots__ = ("net", "note", "out", "stage")

    def __init__(self, note: Note, net: NetworkView, stage: Stage) -> None:
        self.note, self.net, self.stage = note, net, stage
        self.out: list[Issue] = []

    def run(self) -> list[Issue]:
        self.parties()
        departure = self.station(self.note.departure, 2, "departure", REQ_2, RAILWAY_2)
        destination = self.station(self.note.destination, 5, "destination", REQ_5, RAILWAY_5)
        if departure and departure == destination:
            self.out.append(SAME_5.issue("destination.esr"))
        self.language(departure)
        self.border_stations()
        wagons = self.wagons()
        self.goods(wagons)
        self.seals()
        self.route()
        self.payments()
        self.acceptance()
        self.dates()
        self.charges()
        return self.out

    # boxes 1 and 4
    def parties(self) -> None:
        out, n = self.out, self.note
        if not n.consignor.name or not n.consignor.address:
            out.append(REQ_1.issue("consignor"))
        if not _client_code_ok(n.consignor.client_code):
            out.append(CLIENT_1.issue("consignor.client_code"))
        if not n.consignee.name or not n.consignee.address:
            out.append(REQ_4.issue("consignee"))
        if not _client_code_ok(n.consignee.client_code):
            out.append(CLIENT_4.issue("consignee.client_code"))

    def esr_ok(self, code: str, box: int, path: str) -> bool:
        problem = _esr_problem(code)
        if problem is None:
            return True
        self.out.append(ESR[box].issue(path, problem, value=code))
        return False

    # boxes 2 and 5: returns the code when it is valid and on the network
    def station(
        self, ref: StationRef, box: int, path: str, required: NoteRule, railway_rule: NoteRule
    ) -> str | None:
        code = ref.esr
        if not code:
            self.out.append(required.issue(f"{path}.esr"))
            return None
        if not self.esr_ok(code, box, f"{path}.esr"):
            return None
        info = self.net.station(code)
        if info is None:
            self.out.append(UNKNOWN[box].issue(f"{path}.esr", value=code))
            return None
        if not info.freight:
            self.out.append(FREIGHT[box].issue(f"{path}.esr", value=code, name=info.name_ru))
        if ref.railway:
            given = railway_abbr(ref.railway)
            if given != info.railway:
                self.out.append(
                    railway_rule.issue(
                        f"{path}.railway", value=code, actual=info.railway, given=ref.railway
                    )
                )
        return code

    def language(self, departure: str | None) -> None:
        info = self.net.station(departure) if departure else None
        country = info.country if info else self.note.consignor.country
        if not country:
            return
        lang = self.note.language
        if country in RUSSIAN_COUNTRIES and lang != "ru":
            self.out.append(LANG.issue("language", country=country, expected="ru", language=lang))
        elif country in CHINESE_OR_RUSSIAN_COUNTRIES and lang not in ("ru", "zh"):
            self.out.append(
                LANG.issue("language", country=country, expected="zh / ru", language=lang)
            )

    def border_stations(self) -> None:
        for i, ref in enumerate(self.note.border_stations):
            path = f"border_stations[{i}].esr"
            if not self.esr_ok(ref.esr, 6, path):
                continue
            info = self.net.station(ref.esr)
            if info is None:
                self.out.append(UNKNOWN[6].issue(path, value=ref.esr))
            elif not info.border:
                self.out.append(NOT_BORDER_6.issue(path, value=ref.esr, name=info.name_ru))

    # boxes 7–12; returns wagon number → load capacity (kg or None)
    def wagons(self) -> dict[str, int | None]:
        out = self.out
        seen: dict[str, int | None] = {}
        if not self.note.wagons:
            out.append(REQ_7.issue("wagons"))
        for i, w in enumerate(self.note.wagons):
            problem = _wagon_problem(w.number)
            if problem is not None:
                out.append(WAGON_7.issue(f"wagons[{i}].number", problem, value=w.number))
            elif w.number in seen:
                out.append(WAGON_DUP.issue(f"wagons[{i}].number", value=w.number))
            seen[w.number] = w.load_capacity_kg
            if w.provided_by is None:
                out.append(REQ_8.issue(f"wagons[{i}].provided_by", wagon=w.number))
            if w.railway and railway_abbr(w.railway) is None:
                out.append(RAILWAY_7.issue(f"wagons[{i}].railway", value=w.railway, wagon=w.number))
        return seen

    # boxes 15–18 and 9
    def goods(self, wagons: dict[str, int | None]) -> None:
        out, n = self.out, self.note
        if not n.goods:
            out.append(REQ_15.issue("goods"))
        total = 0
        per_wagon: dict[str, int] = {}
        rzd = any(railway_abbr(c.carrier) == "RZD" for c in n.carriers)
        russian = n.language == "ru"
        for i, g in enumerate(n.goods):
            line = i + 1
            p = f"goods[{i}]"
            if not g.description:
                out.append(DESC_15.issue(f"{p}.description", line=line))
            elif russian and not _has_cyrillic(g.description):
                out.append(SCRIPT_15.issue(f"{p}.description", line=line))
            problem = _gng_problem(g.gng)
            if problem is not None:
                rule = GNG_UNKNOWN if problem.code == "gng.unknown" else GNG_15
                out.append(rule.issue(f"{p}.gng", problem, value=g.gng))
            if g.etsng is not None:
                problem = _etsng_problem(g.etsng)
                if problem is not None:
                    out.append(ETSNG_15.issue(f"{p}.etsng", problem, value=g.etsng))
            elif rzd:
                out.append(ETSNG_RZD.issue(f"{p}.etsng", line=line))
            if g.container is not None:
                problem = _container_problem(g.container.number)
                if problem is not None:
                    out.append(
                        CONTAINER_15.issue(
                            f"{p}.container.number", problem, value=g.container.number
                        )
                    )
            if not g.packing:
                out.append(REQ_16.issue(f"{p}.packing", line=line))
            mass = g.mass_kg
            if mass is None:
                out.append(REQ_18.issue(f"{p}.mass_kg", line=line))
                mass = 0
            elif mass == 0:
                out.append(ZERO_18.issue(f"{p}.mass_kg", line=line))
            total += mass
            if g.wagon_number is not None:
                if g.wagon_number not in wagons:
                    out.append(WAGON_18.issue(f"{p}.wagon_number", line=line, value=g.wagon_number))
                else:
                    per_wagon[g.wagon_number] = per_wagon.get(g.wagon_number, 0) + mass
            elif len(wagons) > 1:
                out.append(ASSIGN_18.issue(f"{p}.wagon_number", line=line))
        if len(wagons) == 1 and n.goods:
            (only,) = wagons
            per_wagon = {only: total}
        if n.goods_total_mass_kg is not None and n.goods_total_mass_kg != total:
            out.append(
                TOTAL_18.issue("goods_total_mass_kg", total=n.goods_total_mass_kg, sum=total)
            )
        for i, w in enumerate(n.wagons):
            loaded = per_wagon.get(w.number)
            if loaded is None:
                if n.goods and len(wagons) > 1:
                    out.append(EMPTY_WAGON_7.issue(f"wagons[{i}]", wagon=w.number))
                continue
            capacity = w.load_capacity_kg
            if capacity is not None and loaded > capacity:
                out.append(
                    CAPACITY_9.issue(
                        f"wagons[{i}].load_capacity_kg",
                        wagon=w.number,
                        mass=loaded,
                        capacity=capacity,
                    )
                )
        for i, section in enumerate(n.charges):
            cm = section.chargeable_mass_kg
            if cm is not None and cm < total:
                out.append(
                    CHARGEABLE_39.issue(
                        f"charges[{i}].chargeable_mass_kg",
                        value=cm,
                        letter=section.letter,
                        mass=total,
                    )
                )

    def seals(self) -> None:
        for i, seal in enumerate(self.note.seals):
            if seal.marks and len(seal.marks) != seal.count:
                self.out.append(
                    SEALS_19.issue(f"seals[{i}]", count=seal.count, marks=len(seal.marks))
                )

    # box 22 against boxes 2, 5 and 6
    def route(self) -> None:
        out, net, n = self.out, self.net, self.note
        sections = n.carriers
        if not sections:
            out.append(REQ_22.issue("carriers"))
            return
        valid_codes: list[tuple[str | None, str | None]] = []
        for i, s in enumerate(sections):
            ends: list[str | None] = []
            carrier = railway_abbr(s.carrier)
            if carrier is None:
                out.append(CARRIER_22.issue(f"carriers[{i}].carrier", value=s.carrier))
            for key, ref in (("from_station", s.from_station), ("to_station", s.to_station)):
                path = f"carriers[{i}].{key}.esr"
                if not self.esr_ok(ref.esr, 22, path):
                    ends.append(None)
                    continue
                info = net.station(ref.esr)
                if info is None:
                    out.append(UNKNOWN[22].issue(path, value=ref.esr))
                    ends.append(None)
                    continue
                if carrier is not None and info.railway != carrier:
                    out.append(
                        OWN_22.issue(path, value=ref.esr, carrier=carrier, actual=info.railway)
                    )
                    ends.append(None)
                    continue
                ends.append(ref.esr)
            a, b = ends
            if carrier is not None and a and b and net.tariff_distance(carrier, a, b) is None:
                out.append(
                    SECTION_22.issue(f"carriers[{i}]", carrier=carrier, from_esr=a, to_esr=b)
                )
            valid_codes.append((a, b))
        first, last = sections[0].from_station.esr, sections[-1].to_station.esr
        if n.departure.esr and first != n.departure.esr:
            out.append(START_22.issue("carriers[0].from_station.esr", value=first,
                                      expected=n.departure.esr))  # fmt: skip
        if n.destination.esr and last != n.destination.esr:
            out.append(
                END_22.issue(
                    f"carriers[{len(sections) - 1}].to_station.esr",
                    value=last,
                    expected=n.destination.esr,
                )
            )
        joins: list[tuple[str, str]] = []
        for i in range(len(sections) - 1):
            end, start = valid_codes[i][1], valid_codes[i + 1][0]
            if end is None or start is None:
                continue
            if start not in net.border_partners(end):
                out.append(
                    JOIN_22.issue(
                        f"carriers[{i + 1}].from_station.esr",
                        index=i + 1,
                        value=end,
                        next_value=start,
                    )
                )
            else:
                joins.append((end, start))
        route_codes = {code for pair in joins for code in pair}
        listed = {ref.esr for ref in n.border_stations}
        for i, ref in enumerate(n.border_stations):
            if ref.esr not in route_codes and _esr_problem(ref.esr) is None:
                out.append(ROUTE_6.issue(f"border_stations[{i}].esr", value=ref.esr))
        for a, b in joins:
            if a not in listed and b not in listed:
                out.append(MISSING_6.issue("border_stations", a=a, b=b))

    def payments(self) -> None:
        payers: set[str] = set()
        for i, p in enumerate(self.note.payments):
            abbr = railway_abbr(p.carrier)
            if abbr is None:
                self.out.append(CARRIER_23.issue(f"payments[{i}].carrier", value=p.carrier))
            else:
                payers.add(abbr)
        for c in self.note.carriers:
            abbr = railway_abbr(c.carrier)
            if abbr is not None and abbr not in payers:
                self.out.append(PAYMENT_23.issue("payments", carrier=abbr))

    def acceptance(self) -> None:
        if self.stage is not Stage.ACCEPTANCE:
            return
        if self.note.contract_date is None:
            self.out.append(REQ_26.issue("contract_date"))
        if not self.note.consignment_number:
            self.out.append(REQ_29.issue("consignment_number"))

    def _window(
        self,
        rule: NoteRule,
        path: str,
        at: datetime,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        """``at`` must lie within [start, end]; a missing bound is not checked."""
        if (start is not None and at < start) or (end is not None and at > end):
            self.out.append(
                rule.issue(
                    path,
                    value=at.isoformat(),
                    start=start.isoformat() if start else "—",
                    end=end.isoformat() if end else "—",
                )
            )

    def dates(self) -> None:
        n = self.note
        start, arrival = n.contract_date, n.arrival_date
        if start is not None and arrival is not None:
            self._window(ORDER_27, "arrival_date", arrival, start, None)
        for i, h in enumerate(n.handovers):
            if h.station_esr:
                self.esr_ok(h.station_esr, 33, f"handovers[{i}].station_esr")
            if h.at is not None:
                self._window(ORDER_33, f"handovers[{i}].at", h.at, start, arrival)
        for i, bp in enumerate(n.border_passages):
            if bp.station_esr:
                self.esr_ok(bp.station_esr, 34, f"border_passages[{i}].station_esr")
            if bp.at is not None:
                self._window(ORDER_34, f"border_passages[{i}].at", bp.at, start, arrival)
        if n.arrival_notice_at is not None and arrival is not None:
            self._window(ORDER_35, "arrival_notice_at", n.arrival_notice_at, arrival, None)
        if n.delivery is not None and n.delivery.at is not None:
            self._window(ORDER_36, "delivery.at", n.delivery.at, arrival or start, None)
        for i, report in enumerate(n.commercial_reports):
            if report.station_esr:
                self.esr_ok(report.station_esr, 31, f"commercial_reports[{i}].station_esr")
        for i, ext in enumerate(n.extensions):
            if ext.station_esr:
                self.esr_ok(ext.station_esr, 32, f"extensions[{i}].station_esr")
        if n.delivery is not None and n.delivery.station_esr:
            self.esr_ok(n.delivery.station_esr, 36, "delivery.station_esr")

    # box 38 against the official TR-4 distance on the section's carrier
    def tariff_km(self, path: str, s: ChargingSection) -> None:
        carrier = railway_abbr(s.carrier) if s.carrier else None
        if carrier is None or s.distance_km is None:
            return
        params: dict[str, Any] = {
            "letter": s.letter,
            "value": s.distance_km,
            "carrier": carrier,
            "from_esr": s.from_esr,
            "to_esr": s.to_esr,
        }
        leg = self.net.tariff_distance(carrier, s.from_esr, s.to_esr)
        if leg is None:
            self.out.append(NO_KM_38.issue(f"{path}.distance_km", **params))
        elif leg.km != s.distance_km:
            method = Message(METHOD_NAMES[leg.method])
            self.out.append(
                KM_38.issue(f"{path}.distance_km", expected=leg.km, method=method, **params)
            )

    # boxes 37–63
    def charges(self) -> None:
        out, n = self.out, self.note
        sums: dict[int, Money | None] = {56: None, 57: None, 58: None, 59: None}
        for i, s in enumerate(n.charges):
            p = f"charges[{i}]"
            if s.letter != CHARGING_LETTERS[i]:
                out.append(LETTER_37.issue(f"{p}.letter", index=i + 1,
                                           expected=CHARGING_LETTERS[i]))  # fmt: skip
            codes_ok = [
                bool(code) and self.esr_ok(code, 37, f"{p}.{key}")
                for key, code in (("from_esr", s.from_esr), ("to_esr", s.to_esr))
            ]
            if all(codes_ok):
                self.tariff_km(p, s)
            currencies = (
                s.tariff_currency_consignor,
                s.payment_currency_consignor,
                s.tariff_currency_consignee,
                s.payment_currency_consignee,
            )
            slots = (
                (s.carriage_charge_consignor_tariff, s.additional_total_consignor_tariff,
                 s.total_consignor_tariff),
                (s.carriage_charge_consignor_payment, s.additional_total_consignor_payment,
                 s.total_consignor_payment),
                (s.carriage_charge_consignee_tariff, s.additional_total_consignee_tariff,
                 s.total_consignee_tariff),
                (s.carriage_charge_consignee_payment, s.additional_total_consignee_payment,
                 s.total_consignee_payment),
            )  # fmt: skip
            for k, (carriage, additional, total) in enumerate(slots):
                expected_currency = currencies[k]
                for base, money in ((48, carriage), (52, additional), (56, total)):
                    if (
                        money is not None
                        and expected_currency is not None
                        and money.currency != expected_currency
                    ):
                        out.append(
                            CURRENCY[base + k].issue(
                                p,
                                value=money.currency,
                                letter=s.letter,
                                expected=expected_currency,
                            )
                        )
                if total is not None and (carriage is not None or additional is not None):
                    parts = [m for m in (carriage, additional) if m is not None]
                    if all(m.currency == total.currency for m in parts):
                        expected = sum((m.amount for m in parts), Decimal(0))
                        if expected != total.amount:
                            out.append(
                                SUM_56.issue(
                                    p,
                                    box=56 + k,
                                    letter=s.letter,
                                    value=f"{total.amount} {total.currency}",
                                    expected=f"{expected} {total.currency}",
                                )
                            )
                if total is not None:
                    sums[56 + k] = _add(sums[56 + k], total)
        if n.totals is None:
            return
        grand = (
            n.totals.consignor_tariff,
            n.totals.consignor_payment,
            n.totals.consignee_tariff,
            n.totals.consignee_payment,
        )
        for k, money in enumerate(grand):
            section_sum = sums[56 + k]
            if money is None or section_sum is None:
                continue
            if section_sum.currency == money.currency and section_sum.amount != money.amount:
                out.append(
                    SUM_60.issue(
                        "totals",
                        box=60 + k,
                        value=f"{money.amount} {money.currency}",
                        expected=f"{section_sum.amount} {money.currency}",
                    )
                )


def _add(acc: Money | None, money: Money) -> Money | None:
    """Sum in one currency; a mixture of currencies has no single sum (``None``-free marker)."""
    if acc is None:
        return money
    if acc.currency != money.currency:
        return Money(amount=Decimal(0), currency="XXX")
    return Money(amount=acc.amount + money.amount, currency=acc.currency)


def validate_note(
    note: Note, network: NetworkView, stage: Stage = Stage.SUBMISSION
) -> ValidationResult:
    """Every rule the note breaks, box by box; ``valid`` when there is no error."""
    issues = _Checker(note, network, stage).run()
    valid = not any(i.severity is ERROR for i in issues)
    return ValidationResult(valid, tuple(issues))


# --- raw input ---------------------------------------------------------------------------------
MAX_DOCUMENT_BYTES: Final = 2_000_000
MAX_SCHEMA_ISSUES: Final = 50


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def box_of_path(loc: tuple[int | str, ...]) -> int | None:
    """The SMGS box a field path (``('goods', 0, 'gng')``) lies in, the deepest one declared."""
    model: type[BaseModel] | None = Note
    found: int | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            break
        info = model.model_fields.get(part)
        if info is None:
            break
        number = field_box(model, part)
        if number is not None:
            found = number
        model = _inner_model(info.annotation)
    return found


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "note"


def schema_issues(error: ValidationError) -> tuple[Issue, ...]:
    """Pydantic's type errors as note issues naming the box and path, without echoing input."""
    issues: list[Issue] = []
    for err in error.errors(include_input=False, include_url=False)[:MAX_SCHEMA_ISSUES]:
        loc = tuple(err["loc"])
        path = _path_text(loc)
        issues.append(
            Issue(
                SCHEMA.id,
                box_of_path(loc),
                ERROR,
                SCHEMA.msgid,
                {"field": path, "detail": err["msg"]},
                path,
            )
        )
    return tuple(issues)


def parse_note(data: Any) -> tuple[Note | None, tuple[Issue, ...]]:
    """A :class:`Note` from JSON text, bytes or a decoded object — or the issues why not.

    Never raises for bad input: broken JSON, wrong types, unknown fields and oversized text all
    come back as issues.
    """
    if isinstance(data, bytes | str):
        size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        if size > MAX_DOCUMENT_BYTES:
            return None, (TOO_BIG.issue(None, size=size, limit=MAX_DOCUMENT_BYTES),)
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            detail = str(exc)[:200]
            return None, (JSON.issue(None, detail=detail),)
    if not isinstance(data, dict):
        return None, (SCHEMA.issue(None, field="note", detail="a JSON object is expected"),)
    try:
        return Note.model_validate(data), ()
    except ValidationError as exc:
        return None, schema_issues(exc)
    except (ValueError, TypeError, RecursionError) as exc:  # defensive: never a traceback
        return None, (SCHEMA.issue(None, field="note", detail=type(exc).__name__),)


def validate_document(
    data: Any, network: NetworkView, stage: Stage = Stage.SUBMISSION
) -> ValidationResult:
    """Parse then validate; any shape of input gives a :class:`ValidationResult`."""
    note, issues = parse_note(data)
    if note is None:
        return ValidationResult(False, issues)
    return validate_note(note, network, stage)
