"""What the note rules need to know about the rail network, and one implementation over CSV.

Why a Protocol: the rules must stay pure and fast, and must not care whether stations come from
the reference database (a later pass implements :class:`NetworkView` over it), from the shipped
TR-4 CSVs, or from a test fake. Everything a rule asks is a dictionary lookup; the CSV view
precomputes those dictionaries once (stations, border pairs, and the connected components of
each railway's own lines), so validating a note never walks a graph.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StationInfo:
    """One ESR code of the network as the rules see it."""

    esr: str
    name_ru: str
    railway: str
    """Operating railway, OSJD Latin abbreviation (KZH, UTI, TDZ, ...)."""
    country: str
    """ISO 3166-1 alpha-2 of the territory."""
    freight: bool
    """Open for freight operations: TR-4 Book 2 lists at least one freight paragraph (a digit)."""
    border: bool
    """A border / inter-railway code (usually an "(эксп.)" code)."""


class NetworkView(Protocol):
    """The read-only questions the note rules ask about the network."""

    def station(self, esr: str) -> StationInfo | None:
        """The station with this ESR code, ``None`` if the network does not have it."""

    def border_partners(self, esr: str) -> frozenset[str]:
        """ESR codes paired with ``esr`` at a border crossing (0 km apart), empty if none."""

    def connected_within(self, railway: str, a: str, b: str) -> bool:
        """True when ``a`` and ``b`` are joined by lines of ``railway`` alone."""


class MappingNetworkView:
    """A :class:`NetworkView` over plain mappings, built once; lookups are dict reads."""

    def __init__(
        self,
        stations: Iterable[StationInfo],
        border_pairs: Iterable[tuple[str, str]],
        railway_edges: Iterable[tuple[str, str, str]],
    ) -> None:
        self._stations: dict[str, StationInfo] = {s.esr: s for s in stations}
        partners: dict[str, set[str]] = {}
        for a, b in border_pairs:
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
        self._partners = {k: frozenset(v) for k, v in partners.items()}
        self._component = _components(railway_edges)

    def station(self, esr: str) -> StationInfo | None:
        return self._stations.get(esr)

    def border_partners(self, esr: str) -> frozenset[str]:
        return self._partners.get(esr, frozenset())

    def connected_within(self, railway: str, a: str, b: str) -> bool:
        if a == b:
            return True
        comp = self._component.get(railway)
        if comp is None:
            return False
        ca, cb = comp.get(a), comp.get(b)
        return ca is not None and ca == cb

    @property
    def stations(self) -> Mapping[str, StationInfo]:
        return self._stations


def _components(edges: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, int]]:
    """Per railway: ESR code → id of its connected component over that railway's edges."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for railway, a, b in edges:
        ra, rb = find((railway, a)), find((railway, b))
        if ra != rb:
            parent[ra] = rb
    out: dict[str, dict[str, int]] = {}
    roots: dict[tuple[str, str], int] = {}
    for node in list(parent):
        root = find(node)
        out.setdefault(node[0], {})[node[1]] = roots.setdefault(root, len(roots))
    return out


def _has_freight_paragraph(operations: str) -> bool:
    return any(ch.isdigit() for ch in operations)


def network_from_csv(stations_csv: str, sections_csv: str, borders_csv: str) -> MappingNetworkView:
    """Build the view from the text of the TR-4 derived CSVs (``data/network/SOURCES.md``)."""
    border_pairs: list[tuple[str, str]] = []
    border_codes: set[str] = set()
    for row in csv.DictReader(io.StringIO(borders_csv)):
        a, b = row["a_esr"].strip(), row["b_esr"].strip()
        border_codes.update(code for code in (a, b) if code)
        if a and b:
            border_pairs.append((a, b))
    stations = [
        StationInfo(
            esr=row["esr_code"],
            name_ru=row["name_ru"],
            railway=row["railway"],
            country=row["country"],
            freight=_has_freight_paragraph(row["tr4_operations"]),
            border=row["kind"] == "border" or row["esr_code"] in border_codes,
        )
        for row in csv.DictReader(io.StringIO(stations_csv))
        if row["esr_code"]
    ]
    edges = [
        (row["railway"], row["from_esr"], row["to_esr"])
        for row in csv.DictReader(io.StringIO(sections_csv))
        if row["railway"] != "BORDER" and "пассажир" not in row["tr4_section_type"].lower()
    ]
    return MappingNetworkView(stations, border_pairs, edges)


def network_from_directory(path: Path) -> MappingNetworkView:
    """The view over ``stations.csv``, ``sections.csv`` and ``border_crossings.csv`` in ``path``."""
    return network_from_csv(
        (path / "stations.csv").read_text(encoding="utf-8"),
        (path / "sections.csv").read_text(encoding="utf-8"),
        (path / "border_crossings.csv").read_text(encoding="utf-8"),
    )


@functools.cache
def shipped_network() -> MappingNetworkView:
    """The view over the network CSVs shipped in ``temir/data/network`` (read once)."""
    folder = resources.files("temir").joinpath("data", "network")
    return network_from_csv(
        folder.joinpath("stations.csv").read_text(encoding="utf-8"),
        folder.joinpath("sections.csv").read_text(encoding="utf-8"),
        folder.joinpath("border_crossings.csv").read_text(encoding="utf-8"),
    )
