"""What tracking knows: events of wagons and containers, and the handover acts between railways.

Why events and acts are plain, self-contained values: every railway runs its own Temir node, and
the exchange between nodes ships events and acts as signed envelopes. So each value carries
everything needed to understand it without a database — the unit, the station (ESR), the time
with its offset, the reporting railway, the note it belongs to — and has one canonical JSON
document (:meth:`Event.document`, :meth:`HandoverOffer.document`,
:meth:`HandoverDecision.document`) that round-trips through ``from_document`` and whose RFC 8785
digest is what is stored, compared for idempotency, and signed.

Idempotency: an event's ``key`` names it for ever. The same key with the same document is the
same event (recording it again changes nothing); the same key with another document is refused.
A handover act is named by its ``act_id`` the same way. Pure module: no I/O framework imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, NamedTuple

EVENT_FORMAT: Final = "temir-tracking-event/1"
OFFER_FORMAT: Final = "temir-handover-offer/1"
DECISION_FORMAT: Final = "temir-handover-decision/1"


class EventKind(StrEnum):
    """What happened to a wagon or container, as railways report it."""

    DEPARTURE = "departure"
    """Left the departure station (box 2) after acceptance."""
    STATION_ARRIVAL = "station_arrival"
    STATION_DEPARTURE = "station_departure"
    BORDER_PASSED = "border_passed"
    HANDOVER_OFFERED = "handover_offered"
    HANDOVER_ACCEPTED = "handover_accepted"
    HANDOVER_DISPUTED = "handover_disputed"
    ARRIVAL = "arrival"
    """Arrived at the destination station (box 5)."""
    DELIVERY = "delivery"
    """Handed to the consignee."""
    HOLD = "hold"
    RELEASE = "release"


HANDOVER_KINDS: Final = frozenset(
    {EventKind.HANDOVER_OFFERED, EventKind.HANDOVER_ACCEPTED, EventKind.HANDOVER_DISPUTED}
)
"""Written by handover acts only: custody moves on a signed act, never on a reported line."""

KIND_ORDER: Final = {kind: n for n, kind in enumerate(EventKind)}
"""Events at the same instant sort in the order a wagon lives them (arrival before departure)."""


class HoldReason(StrEnum):
    CUSTOMS = "customs"
    TECHNICAL = "technical"
    COMMERCIAL = "commercial"


class UnitKind(StrEnum):
    WAGON = "wagon"
    CONTAINER = "container"


def utc(value: datetime) -> datetime:
    """The same instant in UTC (stored and compared so; shown in the station's own zone)."""
    return value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return utc(value).isoformat()


def _pruned(data: Mapping[str, Any]) -> dict[str, Any]:
    """The document without empty parts, so an added optional field changes no old digest."""
    return {k: v for k, v in data.items() if v is not None and v != [] and v != ""}


class Event(NamedTuple):
    """One reported fact about one wagon or container at one station and instant.

    A named tuple rather than a frozen dataclass: as immutable, and built several times faster
    — a timeline turns hundreds of stored rows into events per request.
    """

    key: str
    kind: EventKind
    unit: str
    unit_kind: UnitKind
    station_esr: str
    at: datetime
    reporter: str
    """OSJD Latin abbreviation of the reporting railway (``KZH``)."""
    note_id: str | None = None
    hold: HoldReason | None = None
    remarks: str | None = None
    act_id: str | None = None
    """The handover act a ``handover_*`` event was written by."""

    def document(self) -> dict[str, Any]:
        """The canonical content: what is digested, compared, exchanged."""
        return _pruned(
            {
                "format": EVENT_FORMAT,
                "key": self.key,
                "kind": str(self.kind),
                "unit": self.unit,
                "unit_kind": str(self.unit_kind),
                "station_esr": self.station_esr,
                "at": _iso(self.at),
                "reporter": self.reporter,
                "note_id": self.note_id,
                "hold": None if self.hold is None else str(self.hold),
                "remarks": self.remarks,
                "act_id": self.act_id,
            }
        )

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> Event:
        """The event a :meth:`document` describes (trusted input: checked where it entered)."""
        hold = data.get("hold")
        return cls(
            key=str(data["key"]),
            kind=EventKind(data["kind"]),
            unit=str(data["unit"]),
            unit_kind=UnitKind(data["unit_kind"]),
            station_esr=str(data["station_esr"]),
            at=utc(datetime.fromisoformat(str(data["at"]))),
            reporter=str(data["reporter"]),
            note_id=data.get("note_id"),
            hold=None if hold is None else HoldReason(hold),
            remarks=data.get("remarks"),
            act_id=data.get("act_id"),
        )


class ActStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DISPUTED = "disputed"


class DiscrepancyKind(StrEnum):
    """What the incoming railway found that differs from the offer (grounds of a commercial act)."""

    SEAL_BROKEN = "seal_broken"
    SEAL_MISSING = "seal_missing"
    SEAL_DIFFERS = "seal_differs"
    MASS_DIFFERS = "mass_differs"
    UNIT_MISSING = "unit_missing"
    DAMAGE = "damage"
    OTHER = "other"


@dataclass(frozen=True)
class ActUnit:
    """A wagon or container as handed over: its seals (box 19) and goods mass (box 18)."""

    number: str
    kind: UnitKind
    seals: tuple[str, ...] = ()
    mass_kg: int | None = None

    def document(self) -> dict[str, Any]:
        return _pruned(
            {
                "number": self.number,
                "kind": str(self.kind),
                "seals": list(self.seals),
                "mass_kg": self.mass_kg,
            }
        )

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> ActUnit:
        mass = data.get("mass_kg")
        return cls(
            number=str(data["number"]),
            kind=UnitKind(data["kind"]),
            seals=tuple(str(s) for s in data.get("seals", ())),
            mass_kg=None if mass is None else int(mass),
        )


@dataclass(frozen=True)
class Discrepancy:
    kind: DiscrepancyKind
    unit: str
    expected: str | None = None
    found: str | None = None
    remarks: str | None = None

    def document(self) -> dict[str, Any]:
        return _pruned(
            {
                "kind": str(self.kind),
                "unit": self.unit,
                "expected": self.expected,
                "found": self.found,
                "remarks": self.remarks,
            }
        )

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> Discrepancy:
        return cls(
            kind=DiscrepancyKind(data["kind"]),
            unit=str(data["unit"]),
            expected=data.get("expected"),
            found=data.get("found"),
            remarks=data.get("remarks"),
        )


@dataclass(frozen=True)
class HandoverOffer:
    """The outgoing railway's half of a handover act: what it hands over, where and when."""

    act_id: str
    note_id: str
    note_version: int
    from_railway: str
    to_railway: str
    station_esr: str
    """The outgoing railway's border code (box 33/34 station)."""
    entry_esr: str | None
    """The incoming railway's paired code, when the network pairs one."""
    offered_at: datetime
    units: tuple[ActUnit, ...]
    paper_reference: str | None = None
    """The number of a paper act, when the handover was done on paper (systems down)."""

    def document(self) -> dict[str, Any]:
        return _pruned(
            {
                "format": OFFER_FORMAT,
                "act_id": self.act_id,
                "note_id": self.note_id,
                "note_version": self.note_version,
                "from_railway": self.from_railway,
                "to_railway": self.to_railway,
                "station_esr": self.station_esr,
                "entry_esr": self.entry_esr,
                "offered_at": _iso(self.offered_at),
                "units": [u.document() for u in self.units],
                "paper_reference": self.paper_reference,
            }
        )

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> HandoverOffer:
        return cls(
            act_id=str(data["act_id"]),
            note_id=str(data["note_id"]),
            note_version=int(data["note_version"]),
            from_railway=str(data["from_railway"]),
            to_railway=str(data["to_railway"]),
            station_esr=str(data["station_esr"]),
            entry_esr=data.get("entry_esr"),
            offered_at=utc(datetime.fromisoformat(str(data["offered_at"]))),
            units=tuple(ActUnit.from_document(u) for u in data.get("units", ())),
            paper_reference=data.get("paper_reference"),
        )

    def unit_numbers(self) -> tuple[str, ...]:
        return tuple(u.number for u in self.units)


@dataclass(frozen=True)
class HandoverDecision:
    """The incoming railway's half: accepted, or disputed with what differs.

    It names the offer by its digest, so a signature of the decision also covers exactly the
    offer it answers — an offer changed afterwards no longer matches its decision.
    """

    act_id: str
    offer_digest: str
    status: ActStatus
    decided_at: datetime
    discrepancies: tuple[Discrepancy, ...] = ()
    commercial_act: str | None = None
    """Number of the commercial act (box 31) a dispute draws up."""

    def document(self) -> dict[str, Any]:
        return _pruned(
            {
                "format": DECISION_FORMAT,
                "act_id": self.act_id,
                "offer_digest": self.offer_digest,
                "status": str(self.status),
                "decided_at": _iso(self.decided_at),
                "discrepancies": [d.document() for d in self.discrepancies],
                "commercial_act": self.commercial_act,
            }
        )

    @classmethod
    def from_document(cls, data: Mapping[str, Any]) -> HandoverDecision:
        return cls(
            act_id=str(data["act_id"]),
            offer_digest=str(data["offer_digest"]),
            status=ActStatus(data["status"]),
            decided_at=utc(datetime.fromisoformat(str(data["decided_at"]))),
            discrepancies=tuple(
                Discrepancy.from_document(d) for d in data.get("discrepancies", ())
            ),
            commercial_act=data.get("commercial_act"),
        )


@dataclass(frozen=True)
class ActSignature:
    """One party's signature of one half of an act (``stage`` offer or decision)."""

    stage: str
    organisation: str
    railway: str
    key_id: str
    algorithm: str
    digest: str
    value: str
    signed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "organisation": self.organisation,
            "railway": self.railway,
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "digest": self.digest,
            "value": self.value,
            "signed_at": _iso(self.signed_at),
        }


@dataclass(frozen=True)
class ActVerification:
    """Whether each half of an act carries a good signature of the party it belongs to."""

    offer_signed: bool
    """Signed by a key of the outgoing railway, over the offer as stored."""
    decision_signed: bool | None
    """Signed by a key of the incoming railway, over the decision as stored (None: undecided)."""
    problems: tuple[str, ...] = ()
    """Machine codes: ``offer.unsigned``, ``decision.invalid``, ``offer.wrong_key``, …"""

    @property
    def valid(self) -> bool:
        """Both halves signed by their railways and nothing else wrong (an extra signature by
        another railway's key is a problem too)."""
        return self.offer_signed and self.decision_signed is not False and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "offer_signed": self.offer_signed,
            "decision_signed": self.decision_signed,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class HandoverAct:
    """An act as stored: the offer, the decision once made, and their signatures."""

    offer: HandoverOffer
    offer_digest: str
    status: ActStatus
    decision: HandoverDecision | None = None
    signatures: tuple[ActSignature, ...] = field(default_factory=tuple)
    verification: ActVerification | None = None

    @property
    def act_id(self) -> str:
        return self.offer.act_id

    @property
    def accepted_at(self) -> datetime | None:
        if self.decision is not None and self.status is ActStatus.ACCEPTED:
            return self.decision.decided_at
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "act_id": self.act_id,
            "status": str(self.status),
            "offer": self.offer.document(),
            "offer_digest": self.offer_digest,
            "decision": None if self.decision is None else self.decision.document(),
            "signatures": [s.to_dict() for s in self.signatures],
            "verification": None if self.verification is None else self.verification.to_dict(),
            "paper": self.offer.paper_reference is not None,
        }
