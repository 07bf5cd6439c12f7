"""The rulebook of the SMGS note: every rule, box by box, declared once. Pure.

Why rules as data: a consignor must be told *exactly* what to fix — which box, which rule, in
Russian or English — and a carrier's system must be able to rely on the rule id. Each rule is
declared once in :data:`RULES` with a stable id (``N-<box>-<WHAT>``, box ``000`` for the whole
note), its box, severity and English message (translated in ``locale/ru/LC_MESSAGES/notes.po``).
Errors block submission; warnings are shown but do not. Where each rule is checked:
:mod:`temir.notes.boxes.checker` (content) and :mod:`temir.notes.boxes.parsing` (input shape).
"""

from __future__ import annotations

from typing import Any, Final

from temir.kit.errors import Severity
from temir.kit.i18n import translate
from temir.kit.messages import define
from temir.network.routing.model import Method
from temir.notes.boxes.model import ERROR, WARNING, NoteRule

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
CONTROL = _rule(
    "N-000-CONTROL", None, ERROR,
    "Field {field} holds a control character (such as NUL); only a text box with lines may "
    "hold tabs and line breaks.",
)  # fmt: skip
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
# --- dangerous goods, packages, seals, carriers' boxes (issue 11.7) ---------------------------
DG_REQ = _rule(
    "N-015-DG-REQ",
    15,
    ERROR,
    "Box 15: goods line {line} ({code}) is dangerous goods ({source}): give its UN number"
    " and class, and its packing group unless the class has none.",
)
DG_PART = _rule(
    "N-015-DG-PART",
    15,
    ERROR,
    "Box 15: goods line {line} gives only part of its dangerous-goods details: give the UN"
    " number and class together, and the packing group unless the class has none"
    " (classes 1, 2, 5.2, 6.2 and 7).",
)
DG_UN = _rule(
    "N-015-DG-UN",
    15,
    ERROR,
    "Box 15: UN number {value} of goods line {line} is not one {source} gives for code {code}:"
    " declare one of {allowed}.",
)
DG_ENTRY = _rule(
    "N-015-DG-ENTRY",
    15,
    ERROR,
    "Box 15: goods line {line} declares UN {value} as class {hazard_class}, packing group"
    " {group}; {source} gives {entry} as class {expected_class}, packing group {expected_group}.",
)
UN_15 = _rule(
    "N-015-UN",
    15,
    ERROR,
    "Box 15: UN number {value} of goods line {line} must be four digits, not zeros only.",
)
DG_CLASS = _rule(
    "N-015-DG-CLASS",
    15,
    ERROR,
    "Box 15: class {value} of goods line {line} is not a dangerous-goods class"
    " (1–9, or a division such as 2.1 or 6.1).",
)
DG_GROUP = _rule(
    "N-015-DG-GROUP",
    15,
    ERROR,
    "Box 15: packing group {value} of goods line {line} must be I, II or III.",
)
# --- declared value of the goods (issue 11.7; FTS CargoValue, no box number) ------------------
VALUE = _rule(
    "N-000-VALUE",
    None,
    ERROR,
    "The declared value of the goods must be more than zero; leave it out when no value is"
    " declared.",
)
VALUE_CURRENCY = _rule(
    "N-000-VALUE-CURRENCY",
    None,
    ERROR,
    "The declared value of the goods is in {value}, which is not an ISO 4217 currency in use.",
)
PACKAGES_17 = _rule(
    "N-017-REQ",
    17,
    ERROR,
    "Box 17: goods line {line} is packed ({packing}): give the number of packages.",
)
BULK_17 = _rule(
    "N-017-BULK",
    17,
    WARNING,
    "Box 17: goods line {line} is carried in bulk ({packing}): leave the number of packages empty.",
)
SEAL_WAGON_19 = _rule(
    "N-019-WAGON", 19, ERROR, "Box 19: seal {index} names wagon {value}, not listed in box 7."
)
SEAL_BY_19 = _rule(
    "N-019-BY", 19, WARNING, "Box 19: say who applied seal {index} (consignor or carrier)."
)
CARRIER_ONLY: Final = {
    b: _rule(
        f"N-{b:03d}-CARRIER",
        b,
        ERROR,
        f"Box {b} is filled only by a carrier: the consignor's note leaves it empty.",
    )
    for b in (30, 31, 32)
}
BULK_WORDS: Final = ("навал", "налив", "bulk")
"""Box 17 is left empty for goods «навалом»/«наливом» (bulk): domain.md §1.3, row 17."""
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
