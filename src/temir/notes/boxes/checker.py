"""The SMGS note checked box by box: what is missing, mistyped, off the network or inconsistent.

One job — one validation pass over a note — which is why this module is about 560 lines: the
checks of all boxes share the pass's state (the note, the network view, the stage, the list of
issues) and run in box order; the rules themselves are declared in
:mod:`temir.notes.boxes.rules`.

Speed matters (a railway re-validates whole batches): code checks are memoised per code, the
network answers from dictionaries and the route engine's precomputed tariff tables
(:class:`~temir.notes.network.NetworkView`), and one pass over the note appends issues to a list.
Pure: no I/O beyond what the view was built from.
"""

from __future__ import annotations

import functools
import operator
import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from temir.codes.container import examine_container
from temir.codes.dangerous import (
    Designation,
    allowed_un_numbers,
    dangerous_designation,
    designations,
    matched_code,
    needs_packing_group,
)
from temir.codes.esr import examine_esr
from temir.codes.etsng import examine_etsng
from temir.codes.gng import examine_gng
from temir.codes.railways import railway_abbr
from temir.codes.uic import examine_uic_wagon
from temir.codes.wagon import examine_wagon
from temir.kit.errors import Problem
from temir.kit.messages import Message
from temir.kit.money import is_currency_in_use
from temir.notes.boxes import rules
from temir.notes.boxes.model import ERROR, Issue, NoteRule, Stage, ValidationResult
from temir.notes.model import (
    CHARGING_LETTERS,
    ChargingSection,
    GoodsLine,
    Money,
    Note,
    StationRef,
)
from temir.notes.network import NetworkView

# --- memoised code checks ----------------------------------------------------------------------
_CACHE = 65_536
_UN = re.compile(r"^(?!0000)[0-9]{4}$")
_CLASS = re.compile(r"^[1-9](?:\.[1-6])?$")
_GROUPS = frozenset({"I", "II", "III"})


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


_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _has_cyrillic(text: str) -> bool:
    return _CYRILLIC.search(text) is not None


def _client_code_ok(code: str | None) -> bool:
    return code is None or (code.isascii() and code.isdigit() and 4 <= len(code) <= 16)


def _outside(at: datetime, start: datetime | None, end: datetime | None) -> bool:
    """``at`` is before ``start`` or after ``end`` (a missing bound is not checked)."""
    return (start is not None and at < start) or (end is not None and at > end)


# --- the checks --------------------------------------------------------------------------------
class _Checker:
    """One validation pass; ``out`` collects issues in box order of discovery."""

    __slots__ = ("net", "note", "out", "stage")

    def __init__(self, note: Note, net: NetworkView, stage: Stage) -> None:
        self.note, self.net, self.stage = note, net, stage
        self.out: list[Issue] = []

    def run(self) -> list[Issue]:
        self.parties()
        departure = self.station(self.note.departure, 2, "departure", rules.REQ_2, rules.RAILWAY_2)
        destination = self.station(
            self.note.destination, 5, "destination", rules.REQ_5, rules.RAILWAY_5
        )
        if departure and departure == destination:
            self.out.append(rules.SAME_5.issue("destination.esr"))
        self.language(departure)
        self.border_stations()
        wagons = self.wagons()
        self.goods(wagons)
        self.dangerous_and_packages()
        self.declared_value()
        self.seals(wagons)
        self.carrier_boxes()
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
            out.append(rules.REQ_1.issue("consignor"))
        if not _client_code_ok(n.consignor.client_code):
            out.append(rules.CLIENT_1.issue("consignor.client_code"))
        if not n.consignee.name or not n.consignee.address:
            out.append(rules.REQ_4.issue("consignee"))
        if not _client_code_ok(n.consignee.client_code):
            out.append(rules.CLIENT_4.issue("consignee.client_code"))

    def esr_ok(self, code: str, box: int, path: str) -> bool:
        problem = _esr_problem(code)
        if problem is None:
            return True
        self.out.append(rules.ESR[box].issue(path, problem, value=code))
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
            self.out.append(rules.UNKNOWN[box].issue(f"{path}.esr", value=code))
            return None
        if not info.freight:
            self.out.append(rules.FREIGHT[box].issue(f"{path}.esr", value=code, name=info.name_ru))
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
        if country in rules.RUSSIAN_COUNTRIES and lang != "ru":
            self.out.append(
                rules.LANG.issue("language", country=country, expected="ru", language=lang)
            )
        elif country in rules.CHINESE_OR_RUSSIAN_COUNTRIES and lang not in ("ru", "zh"):
            self.out.append(
                rules.LANG.issue("language", country=country, expected="zh / ru", language=lang)
            )

    def border_stations(self) -> None:
        for i, ref in enumerate(self.note.border_stations):
            path = f"border_stations[{i}].esr"
            if not self.esr_ok(ref.esr, 6, path):
                continue
            info = self.net.station(ref.esr)
            if info is None:
                self.out.append(rules.UNKNOWN[6].issue(path, value=ref.esr))
            elif not info.border:
                self.out.append(rules.NOT_BORDER_6.issue(path, value=ref.esr, name=info.name_ru))

    # boxes 7–12; returns wagon number → load capacity (kg or None)
    def wagons(self) -> dict[str, int | None]:
        out = self.out
        seen: dict[str, int | None] = {}
        if not self.note.wagons:
            out.append(rules.REQ_7.issue("wagons"))
        for i, w in enumerate(self.note.wagons):
            problem = _wagon_problem(w.number)
            if problem is not None:
                out.append(rules.WAGON_7.issue(f"wagons[{i}].number", problem, value=w.number))
            elif w.number in seen:
                out.append(rules.WAGON_DUP.issue(f"wagons[{i}].number", value=w.number))
            seen[w.number] = w.load_capacity_kg
            if w.provided_by is None:
                out.append(rules.REQ_8.issue(f"wagons[{i}].provided_by", wagon=w.number))
            if w.railway and railway_abbr(w.railway) is None:
                out.append(
                    rules.RAILWAY_7.issue(f"wagons[{i}].railway", value=w.railway, wagon=w.number)
                )
        return seen

    # boxes 15–18 and 9
    def goods(self, wagons: dict[str, int | None]) -> None:
        out, n = self.out, self.note
        if not n.goods:
            out.append(rules.REQ_15.issue("goods"))
        total = 0
        per_wagon: dict[str, int] = {}
        rzd = any(railway_abbr(c.carrier) == "RZD" for c in n.carriers)
        russian = n.language == "ru"
        for i, g in enumerate(n.goods):
            line = i + 1
            p = f"goods[{i}]"
            if not g.description:
                out.append(rules.DESC_15.issue(f"{p}.description", line=line))
            elif russian and not _has_cyrillic(g.description):
                out.append(rules.SCRIPT_15.issue(f"{p}.description", line=line))
            problem = _gng_problem(g.gng)
            if problem is not None:
                rule = rules.GNG_UNKNOWN if problem.code == "gng.unknown" else rules.GNG_15
                out.append(rule.issue(f"{p}.gng", problem, value=g.gng))
            if g.etsng is not None:
                problem = _etsng_problem(g.etsng)
                if problem is not None:
                    out.append(rules.ETSNG_15.issue(f"{p}.etsng", problem, value=g.etsng))
            elif rzd:
                out.append(rules.ETSNG_RZD.issue(f"{p}.etsng", line=line))
            if g.container is not None:
                problem = _container_problem(g.container.number)
                if problem is not None:
                    out.append(
                        rules.CONTAINER_15.issue(
                            f"{p}.container.number", problem, value=g.container.number
                        )
                    )
            if not g.packing:
                out.append(rules.REQ_16.issue(f"{p}.packing", line=line))
            mass = g.mass_kg
            if mass is None:
                out.append(rules.REQ_18.issue(f"{p}.mass_kg", line=line))
                mass = 0
            elif mass == 0:
                out.append(rules.ZERO_18.issue(f"{p}.mass_kg", line=line))
            total += mass
            if g.wagon_number is not None:
                if g.wagon_number not in wagons:
                    out.append(
                        rules.WAGON_18.issue(f"{p}.wagon_number", line=line, value=g.wagon_number)
                    )
                else:
                    per_wagon[g.wagon_number] = per_wagon.get(g.wagon_number, 0) + mass
            elif len(wagons) > 1:
                out.append(rules.ASSIGN_18.issue(f"{p}.wagon_number", line=line))
        if len(wagons) == 1 and n.goods:
            (only,) = wagons
            per_wagon = {only: total}
        if n.goods_total_mass_kg is not None and n.goods_total_mass_kg != total:
            out.append(
                rules.TOTAL_18.issue("goods_total_mass_kg", total=n.goods_total_mass_kg, sum=total)
            )
        for i, w in enumerate(n.wagons):
            loaded = per_wagon.get(w.number)
            if loaded is None:
                if n.goods and len(wagons) > 1:
                    out.append(rules.EMPTY_WAGON_7.issue(f"wagons[{i}]", wagon=w.number))
                continue
            capacity = w.load_capacity_kg
            if capacity is not None and loaded > capacity:
                out.append(
                    rules.CAPACITY_9.issue(
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
                    rules.CHARGEABLE_39.issue(
                        f"charges[{i}].chargeable_mass_kg",
                        value=cm,
                        letter=section.letter,
                        mass=total,
                    )
                )

    # boxes 15 (dangerous goods) and 17 (packages)
    def dangerous_and_packages(self) -> None:
        out = self.out
        for i, g in enumerate(self.note.goods):
            line, p = i + 1, f"goods[{i}]"
            found = designations(g.etsng, g.gng)
            group_needed = g.hazard_class is None or needs_packing_group(g.hazard_class)
            whole = bool(g.un_number and g.hazard_class and (g.packing_group or not group_needed))
            if found and not whole:
                source = dangerous_designation(g.etsng, g.gng)
                code = matched_code(g.etsng, g.gng)
                out.append(
                    rules.DG_REQ.issue(f"{p}.un_number", line=line, code=code, source=source)
                )
            elif not whole and (g.un_number or g.hazard_class or g.packing_group):
                out.append(rules.DG_PART.issue(f"{p}.un_number", line=line))
            elif found and g.un_number and g.hazard_class and _UN.fullmatch(g.un_number):
                self.designated_entry(i, g, found, g.un_number, g.hazard_class)
            if g.un_number and not _UN.fullmatch(g.un_number):
                out.append(rules.UN_15.issue(f"{p}.un_number", line=line, value=g.un_number))
            if g.hazard_class and not _CLASS.fullmatch(g.hazard_class):
                out.append(
                    rules.DG_CLASS.issue(f"{p}.hazard_class", line=line, value=g.hazard_class)
                )
            if g.packing_group and g.packing_group not in _GROUPS:
                out.append(
                    rules.DG_GROUP.issue(f"{p}.packing_group", line=line, value=g.packing_group)
                )
            if not g.packing:
                continue
            bulk = any(word in g.packing.lower() for word in rules.BULK_WORDS)
            if bulk and g.packages:
                out.append(rules.BULK_17.issue(f"{p}.packages", line=line, packing=g.packing))
            elif not bulk and not g.packages:
                out.append(rules.PACKAGES_17.issue(f"{p}.packages", line=line, packing=g.packing))

    def designated_entry(
        self, i: int, g: GoodsLine, found: tuple[Designation, ...], un: str, klass: str
    ) -> None:
        """The declared UN number must be one the list gives for the code, with its class/group.

        Why: a UN number that merely *looks* right (four digits) may name other goods — diesel
        declared as UN 1203 — and the carriers' handling, placards and tank rules follow it.
        """
        line, p, code = i + 1, f"goods[{i}]", matched_code(g.etsng, g.gng)
        source = found[0].edition
        same_un = [d for d in found if d.un_number == un]
        if not same_un:
            allowed = allowed_un_numbers(found)
            self.out.append(
                rules.DG_UN.issue(
                    f"{p}.un_number",
                    line=line,
                    value=un,
                    source=source,
                    code=code,
                    allowed=allowed,
                )
            )
        elif not any(d.admits(klass, g.packing_group) for d in same_un):
            entry = same_un[0]
            groups = " / ".join(dict.fromkeys(d.packing_group or "—" for d in same_un))
            self.out.append(
                rules.DG_ENTRY.issue(
                    f"{p}.hazard_class",
                    line=line,
                    value=un,
                    hazard_class=klass,
                    group=g.packing_group or "—",
                    source=source,
                    entry=entry.entry,
                    expected_class=entry.hazard_class,
                    expected_group=groups,
                )
            )

    def declared_value(self) -> None:
        """A declared value is a positive amount in a currency that exists today.

        Why: the carriers' liability and the fee for declaring a value follow this amount; zero
        is "no value declared", which is said by leaving the field out, not by a 0.
        """
        value = self.note.declared_value
        if value is None:
            return
        if value.amount <= 0:
            self.out.append(rules.VALUE.issue("declared_value.amount"))
        if not is_currency_in_use(value.currency):
            self.out.append(
                rules.VALUE_CURRENCY.issue("declared_value.currency", value=value.currency)
            )

    def seals(self, wagons: dict[str, int | None]) -> None:
        for i, seal in enumerate(self.note.seals):
            if seal.marks and len(seal.marks) != seal.count:
                self.out.append(
                    rules.SEALS_19.issue(f"seals[{i}]", count=seal.count, marks=len(seal.marks))
                )
            if seal.wagon_number and seal.wagon_number not in wagons:
                self.out.append(
                    rules.SEAL_WAGON_19.issue(
                        f"seals[{i}].wagon_number", index=i + 1, value=seal.wagon_number
                    )
                )
            if seal.applied_by is None:
                self.out.append(rules.SEAL_BY_19.issue(f"seals[{i}].applied_by", index=i + 1))

    # boxes 30–32 before acceptance: the consignor's note leaves the carriers' boxes empty (a
    # note with box 26 has been accepted: the carriers write in it from then on)
    def carrier_boxes(self) -> None:
        n = self.note
        if self.stage is not Stage.SUBMISSION or n.contract_date is not None:
            return
        for box, path, value in (
            (30, "carrier_remarks", n.carrier_remarks),
            (31, "commercial_reports", n.commercial_reports),
            (32, "extensions", n.extensions),
        ):
            if value:
                self.out.append(rules.CARRIER_ONLY[box].issue(path))

    # box 22 against boxes 2, 5 and 6
    def route(self) -> None:
        out, net, n = self.out, self.net, self.note
        sections = n.carriers
        if not sections:
            out.append(rules.REQ_22.issue("carriers"))
            return
        valid_codes: list[tuple[str | None, str | None]] = []
        for i, s in enumerate(sections):
            carrier = railway_abbr(s.carrier)
            if carrier is None:
                out.append(rules.CARRIER_22.issue(f"carriers[{i}].carrier", value=s.carrier))
            a = self._section_end(s.from_station.esr, carrier, i, "from_station")
            b = self._section_end(s.to_station.esr, carrier, i, "to_station")
            if carrier is not None and a and b and net.tariff_distance(carrier, a, b) is None:
                out.append(
                    rules.SECTION_22.issue(f"carriers[{i}]", carrier=carrier, from_esr=a, to_esr=b)
                )
            valid_codes.append((a, b))
        first, last = sections[0].from_station.esr, sections[-1].to_station.esr
        if n.departure.esr and first != n.departure.esr:
            out.append(rules.START_22.issue("carriers[0].from_station.esr", value=first,
                                      expected=n.departure.esr))  # fmt: skip
        if n.destination.esr and last != n.destination.esr:
            out.append(
                rules.END_22.issue(
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
                    rules.JOIN_22.issue(
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
                out.append(rules.ROUTE_6.issue(f"border_stations[{i}].esr", value=ref.esr))
        for a, b in joins:
            if a not in listed and b not in listed:
                out.append(rules.MISSING_6.issue("border_stations", a=a, b=b))

    def _section_end(self, esr: str, carrier: str | None, i: int, key: str) -> str | None:
        """A box 22 section's end when valid, on the network and on the section's carrier.

        The usual case (all three hold) costs two dictionary reads; the path is written only
        for an issue.
        """
        info = self.net.station(esr) if _esr_problem(esr) is None else None
        if info is not None and (carrier is None or info.railway == carrier):
            return esr
        path = f"carriers[{i}].{key}.esr"
        if not self.esr_ok(esr, 22, path):
            return None
        if info is None:
            self.out.append(rules.UNKNOWN[22].issue(path, value=esr))
            return None
        self.out.append(rules.OWN_22.issue(path, value=esr, carrier=carrier, actual=info.railway))
        return None

    def payments(self) -> None:
        payers: set[str] = set()
        for i, p in enumerate(self.note.payments):
            abbr = railway_abbr(p.carrier)
            if abbr is None:
                self.out.append(rules.CARRIER_23.issue(f"payments[{i}].carrier", value=p.carrier))
            else:
                payers.add(abbr)
        for c in self.note.carriers:
            abbr = railway_abbr(c.carrier)
            if abbr is not None and abbr not in payers:
                self.out.append(rules.PAYMENT_23.issue("payments", carrier=abbr))

    def acceptance(self) -> None:
        if self.stage is not Stage.ACCEPTANCE:
            return
        if self.note.contract_date is None:
            self.out.append(rules.REQ_26.issue("contract_date"))
        if not self.note.consignment_number:
            self.out.append(rules.REQ_29.issue("consignment_number"))

    def _window(
        self,
        rule: NoteRule,
        path: str,
        at: datetime,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        """``at`` must lie within [start, end]; a missing bound is not checked."""
        if _outside(at, start, end):
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
            self._window(rules.ORDER_27, "arrival_date", arrival, start, None)
        for i, h in enumerate(n.handovers):
            if h.station_esr and _esr_problem(h.station_esr) is not None:
                self.esr_ok(h.station_esr, 33, f"handovers[{i}].station_esr")
            if h.at is not None and _outside(h.at, start, arrival):
                self._window(rules.ORDER_33, f"handovers[{i}].at", h.at, start, arrival)
        for i, bp in enumerate(n.border_passages):
            if bp.station_esr and _esr_problem(bp.station_esr) is not None:
                self.esr_ok(bp.station_esr, 34, f"border_passages[{i}].station_esr")
            if bp.at is not None and _outside(bp.at, start, arrival):
                self._window(rules.ORDER_34, f"border_passages[{i}].at", bp.at, start, arrival)
        if n.arrival_notice_at is not None and arrival is not None:
            self._window(rules.ORDER_35, "arrival_notice_at", n.arrival_notice_at, arrival, None)
        if n.delivery is not None and n.delivery.at is not None:
            self._window(rules.ORDER_36, "delivery.at", n.delivery.at, arrival or start, None)
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
        leg = self.net.tariff_distance(carrier, s.from_esr, s.to_esr)
        if leg is not None and leg.km == s.distance_km:
            return  # the usual case: nothing to say
        params: dict[str, Any] = {
            "letter": s.letter,
            "value": s.distance_km,
            "carrier": carrier,
            "from_esr": s.from_esr,
            "to_esr": s.to_esr,
        }
        if leg is None:
            self.out.append(rules.NO_KM_38.issue(f"{path}.distance_km", **params))
        elif leg.km != s.distance_km:
            method = Message(rules.METHOD_NAMES[leg.method])
            self.out.append(
                rules.KM_38.issue(f"{path}.distance_km", expected=leg.km, method=method, **params)
            )

    # boxes 37–63
    def charges(self) -> None:
        out, n = self.out, self.note
        sums: dict[int, _Sum | None] = {56: None, 57: None, 58: None, 59: None}
        for i, s in enumerate(n.charges):
            p = f"charges[{i}]"
            if s.letter != CHARGING_LETTERS[i]:
                out.append(rules.LETTER_37.issue(f"{p}.letter", index=i + 1,
                                           expected=CHARGING_LETTERS[i]))  # fmt: skip
            codes_ok = [
                bool(code) and self.esr_ok(code, 37, f"{p}.{key}")
                for key, code in (("from_esr", s.from_esr), ("to_esr", s.to_esr))
            ]
            if all(codes_ok):
                self.tariff_km(p, s)
            if not _has_money(s):
                continue  # the usual section: km and mass, no figures yet (nothing to add up)
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
                            rules.CURRENCY[base + k].issue(
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
                                rules.SUM_56.issue(
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
            amount, currency = section_sum
            if currency == money.currency and amount != money.amount:
                out.append(
                    rules.SUM_60.issue(
                        "totals",
                        box=60 + k,
                        value=f"{money.amount} {money.currency}",
                        expected=f"{amount} {money.currency}",
                    )
                )


_MONEY_BOXES: Final = tuple(
    f"{what}_{side}_{kind}"
    for side in ("consignor", "consignee")
    for kind in ("tariff", "payment")
    for what in ("carriage_charge", "additional_total", "total")
)


_money_boxes = operator.attrgetter(*_MONEY_BOXES)
_NO_MONEY: Final = (None,) * len(_MONEY_BOXES)


def _has_money(section: ChargingSection) -> bool:
    """Any of the section's boxes 48–59 (carriage charge, additional, total) is filled."""
    return _money_boxes(section) != _NO_MONEY


# A running sum as (amount, currency): plain values, not a Money model validated anew per
# addition (that was a pydantic validation per total of every note, and one that could fail
# on a sum beyond Money's 18 digits).
_Sum = tuple[Decimal, str]
_MIXED: Final[_Sum] = (Decimal(0), "XXX")  # a mixture of currencies: no single sum


def _add(acc: _Sum | None, money: Money) -> _Sum:
    """Sum in one currency; a mixture of currencies has no single sum (the ``XXX`` marker)."""
    if acc is None:
        return (money.amount, money.currency)
    if acc[1] != money.currency:
        return _MIXED
    return (acc[0] + money.amount, acc[1])


def validate_note(
    note: Note, network: NetworkView, stage: Stage = Stage.SUBMISSION
) -> ValidationResult:
    """Every rule the note breaks, box by box; ``valid`` when there is no error."""
    issues = _Checker(note, network, stage).run()
    valid = not any(i.severity is ERROR for i in issues)
    return ValidationResult(valid, tuple(issues))
