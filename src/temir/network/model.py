"""What reference loading reports, and what station/network reads return. Pure types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DatasetChange:
    """What one load did to one dataset (``status``: added, updated, unchanged)."""

    dataset: str
    edition: str
    status: str
    rows: int
    added: int = 0
    changed: int = 0
    removed: int = 0
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "edition": self.edition,
            "status": self.status,
            "rows": self.rows,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "examples": list(self.examples),
        }


@dataclass(frozen=True)
class LoadReport:
    """The outcome of :func:`temir.network.service.load_reference`, one entry per dataset."""

    datasets: tuple[DatasetChange, ...] = field(default_factory=tuple)

    @property
    def unchanged(self) -> bool:
        return all(d.status == "unchanged" for d in self.datasets)

    def dataset(self, name: str) -> DatasetChange:
        for change in self.datasets:
            if change.dataset == name:
                return change
        raise KeyError(name)

    def summary(self) -> str:
        if self.unchanged:
            return "reference data unchanged"
        parts = [
            f"{d.dataset}: +{d.added} ~{d.changed} -{d.removed}"
            for d in self.datasets
            if d.status != "unchanged"
        ]
        return "reference data loaded: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unchanged": self.unchanged,
            "summary": self.summary(),
            "datasets": [d.to_dict() for d in self.datasets],
        }


@dataclass(frozen=True)
class StationCode:
    """One ESR code of a station, as TR-4 writes it (suffix included)."""

    esr: str
    name_ru: str
    role: str  # main | export | transshipment | other
    railway: str
    point_type: str | None
    operations: str | None
    transit_point: bool
    network_node: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "esr": self.esr,
            "name_ru": self.name_ru,
            "role": self.role,
            "railway": self.railway,
            "point_type": self.point_type,
            "operations": self.operations,
            "transit_point": self.transit_point,
            "network_node": self.network_node,
        }


@dataclass(frozen=True)
class Station:
    """A place with all its ESR codes; ``name_en_estimated`` marks a machine transliteration,
    ``coord_estimated`` a position not taken directly from OpenStreetMap."""

    id: int
    name_ru: str
    name_en: str
    name_en_estimated: bool
    railway: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    coord_estimated: bool
    coord_source: str | None
    codes: tuple[StationCode, ...]
    coord_suspect: str | None = None  # why the position is doubted (network.quality)

    @property
    def main_esr(self) -> str | None:
        for code in self.codes:
            if code.role == "main":
                return code.esr
        return self.codes[0].esr if self.codes else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name_ru": self.name_ru,
            "name_en": self.name_en,
            "name_en_estimated": self.name_en_estimated,
            "railway": self.railway,
            "country": self.country,
            "kind": self.kind,
            "lat": self.lat,
            "lon": self.lon,
            "coord_estimated": self.coord_estimated,
            "coord_source": self.coord_source,
            "coord_suspect": self.coord_suspect,
            "codes": [c.to_dict() for c in self.codes],
        }
