"""Data-quality report: where the official TR-4 figure and chained Book 1 sections disagree.

Why: the engine uses the official figure (Book 3 between transit points, Book 2 from a station
to its transit point), but users and the reference-data team must see where Book 1 says
otherwise (METHOD.md §8.7–§8.9, README "Known inconsistencies"), and which printed figures the
engine does not trust at all (:mod:`temir.network.routing.checks`): those rows say
``trusted: false`` and what is used instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from temir.kit.messages import Message, define
from temir.network.routing import checks
from temir.network.routing.distances import book1_shortest, shortest_from
from temir.network.routing.model import NetworkData

HIDDEN_TRANSIT = define(
    "routing",
    "Counts only {railway}'s km of a route through {via}: to {exit}, then from {entry}"
    " ({part} km); {via}'s {via_km} km between are not counted, and {railway}'s own Book 1"
    " lines give {own}. Not used as one {railway} leg.",
)
NO_OWN_ROUTE = define("routing", "no route")
MISPRINT_TRANSIT_POINT = define(
    "routing",
    "Book 2 prints {printed_km} km to {printed}; Book 1 puts transit point {read_as} at that km"
    " on a common section: read as {read_as} {km} km.",
)
MISPRINT_KM = define(
    "routing",
    "Book 2 prints {printed_km} km; both points lie on one Book 1 section {km} km apart:"
    " read as {km} km.",
)
MISPRINT_DROPPED = define(
    "routing",
    "Book 2 prints {printed_km} km, under half of every Book 1 route ({book1_km} km) and"
    " contradicted by Book 3: the row is not used.",
)


@dataclass(frozen=True)
class Disagreement:
    """One official figure and what a chain of Book 1 freight sections gives instead."""

    railway: str
    kind: str  # book3_vs_book1 | book2_vs_book1
    from_esr: str
    to_esr: str
    official_km: int
    book1_km: int | None  # None: no route in the railway's own Book 1 network
    trusted: bool = True  # False: the engine does not use the printed figure (see detail)
    detail: Message | None = None

    @property
    def delta(self) -> int | None:
        return None if self.book1_km is None else self.official_km - self.book1_km

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "railway": self.railway,
            "kind": self.kind,
            "from_esr": self.from_esr,
            "to_esr": self.to_esr,
            "official_km": self.official_km,
            "book1_km": self.book1_km,
            "delta": self.delta,
            "trusted": self.trusted,
            "detail": self.detail.text(lang) if self.detail is not None else "",
        }


def _hidden(h: checks.HiddenTransit, names: dict[str, str]) -> Disagreement:
    detail = Message.of(
        HIDDEN_TRANSIT,
        railway=h.railway,
        exit=f"{names.get(h.exit_esr, '')} {h.exit_esr}".strip(),
        entry=f"{names.get(h.entry_esr, '')} {h.entry_esr}".strip(),
        part=h.own_part_km,
        via=h.via,
        via_km=h.via_km,
        own=h.own_km if h.own_km is not None else Message(NO_OWN_ROUTE),
    )
    kind = f"{h.book}_hidden_transit"
    return Disagreement(
        h.railway, kind, h.from_esr, h.to_esr, h.km, h.own_km, trusted=False, detail=detail
    )


def _misprint(c: checks.Book2Correction, names: dict[str, str]) -> Disagreement:
    def name(esr: str | None) -> str:
        return f"{names.get(esr or '', '')} {esr}".strip()

    if c.action == "misprinted_transit_point":
        detail = Message.of(
            MISPRINT_TRANSIT_POINT,
            printed_km=c.printed_km,
            printed=name(c.printed_transit_esr),
            read_as=name(c.transit_esr),
            km=c.km,
        )
    elif c.action == "misprinted_km":
        detail = Message.of(MISPRINT_KM, printed_km=c.printed_km, km=c.km)
    else:
        detail = Message.of(MISPRINT_DROPPED, printed_km=c.printed_km, book1_km=c.book1_km)
    return Disagreement(
        c.railway,
        "book2_misprint",
        c.esr,
        c.printed_transit_esr,
        c.printed_km,
        c.book1_km,
        trusted=False,
        detail=detail,
    )


def disagreements(
    data: NetworkData,
    railways: list[str] | None = None,
    findings: checks.SourceFindings | None = None,
) -> list[Disagreement]:
    """Every Book 3 cell and same-section Book 2 entry whose km differs from Book 1, and every
    printed figure the engine does not trust (``findings``, default: :func:`checks.find`)."""
    wanted = railways or sorted({rw for rw, _ in data.transit_points})
    found = findings if findings is not None else checks.find(data)
    out: list[Disagreement] = [_hidden(h, data.names) for h in found.hidden if h.railway in wanted]
    out += [_misprint(c, data.names) for c in found.book2 if c.railway in wanted]
    for rw in wanted:
        index, adjacency = book1_shortest(data, rw)
        cache: dict[int, dict[int, int]] = {}
        for d in data.transit_distances:
            if d.railway == rw:
                ia, ib = index.get(d.a_esr), index.get(d.b_esr)
                got = None
                if ia is not None and ib is not None:
                    if ia not in cache:
                        cache[ia] = shortest_from(adjacency, ia)
                    got = cache[ia].get(ib)
                if got != d.km:
                    out.append(Disagreement(rw, "book3_vs_book1", d.a_esr, d.b_esr, d.km, got))
        sections: dict[str, dict[str, int]] = defaultdict(dict)
        freight = {s.section for s in data.sections if s.railway == rw and not s.passenger_only}
        for p in data.section_points:
            if p.railway == rw and p.section in freight:
                sections[p.section][p.esr] = p.km_from_start
        for s in data.station_transit:
            if s.railway != rw or s.esr == s.transit_esr:
                continue
            diffs = [
                abs(pts[s.esr] - pts[s.transit_esr])
                for pts in sections.values()
                if s.esr in pts and s.transit_esr in pts
            ]
            if diffs and min(diffs) != s.km:
                out.append(
                    Disagreement(rw, "book2_vs_book1", s.esr, s.transit_esr, s.km, min(diffs))
                )
    return out
