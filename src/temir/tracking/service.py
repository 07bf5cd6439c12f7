"""Recording events: one at a time (the API) or a batch at a time (files, a peer node).

A batch is all or nothing: every line is checked (:func:`temir.tracking.rules.check_event`),
its key compared with the batch and with what is stored, its note looked up — and only a batch
without a rejected line is written, with executemany inserts and one audit record. A line whose
key is already stored with the same content is a *duplicate*: counted, not written, not an
error — that is what makes sending the same file twice harmless. The same key with other
content is refused: a key names one event for ever.

Which note an event belongs to: the one it names (the reporter must be one of its carriers),
else the newest live note carrying the wagon in box 7 if the reporter is one of that note's
carriers, else none. Services never commit; timelines are :mod:`temir.tracking.timeline`,
handover acts :mod:`temir.tracking.acts`, border points :mod:`temir.tracking.borders`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor, Role
from temir.kit import changes, clock
from temir.kit.errors import PermissionDenied, Problem, ValidationFailed
from temir.kit.i18n import N_
from temir.notes.lifecycle import Party
from temir.notes.store.records import party_of
from temir.signing.canonical import digest_of
from temir.tracking import repository, rules
from temir.tracking.model import Event, utc
from temir.tracking.rules import Rejected

MAX_BATCH: Final = 50_000

ONLY_RAILWAYS = N_("Only a railway's operators (or an administrator) report events.")
KEY_REUSED = N_("An event with key {key} is already recorded with other content.")
KEY_TWICE = N_("Key {key} is used twice in this batch with different content (line {line}).")
NOTE_UNKNOWN = N_("No note {id} that {railway} carries.")
BATCH_SIZE = N_("A batch has 1 to {max} lines.")


_FLAT = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, sort_keys=True,
    check_circular=False,
)  # fmt: skip


def document_digest(document: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a document's RFC 8785 canonical form: what is compared and signed.

    An event's document is flat — ASCII keys, text and integer values, empty parts already
    left out — and for such a value RFC 8785 is sorted compact JSON with raw UTF-8 (the same
    escapes), which the C encoder writes in one call; anything else takes the general path.
    ``tests/tracking`` checks both agree.
    """
    if all(type(v) is str or (type(v) is int) for v in document.values()):
        return hashlib.sha256(_FLAT.encode(document).encode("utf-8")).hexdigest()
    return digest_of(dict(document))


def reporter_party(session: Session, actor: Actor) -> Party:
    """The actor as the rules see it; 403 unless a railway operator or an administrator."""
    who = party_of(session, actor)
    if not who.admin and not (who.role is Role.RAILWAY_OPERATOR and who.railway):
        raise PermissionDenied(ONLY_RAILWAYS, code="tracking.not_a_railway")
    return who


@dataclass
class BatchOutcome:
    """What one batch did: every event recorded, or the rejected lines that kept it out."""

    recorded: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.rejected

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "written": self.written,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "rejected": [r.to_dict(lang) for r in self.rejected],
        }


def _reject(at_line: int, code: str, msgid: str, field_name: str, /, **params: Any) -> Rejected:
    return Rejected(at_line, (Problem(code, msgid, field_name, params),))


def ingest(
    session: Session,
    actor: Actor,
    lines: Sequence[tuple[int, Mapping[str, Any]]],
    *,
    now: datetime | None = None,
    rejected: Sequence[Rejected] = (),
) -> BatchOutcome:
    """Record a batch of reported events (``(line number, fields)``), all or nothing.

    ``rejected``: lines of the batch the reader could not even read (broken JSON); they keep
    the batch out like any other rejected line.
    """
    if not 1 <= len(lines) + len(rejected) <= MAX_BATCH:
        raise ValidationFailed(BATCH_SIZE, code="tracking.batch_size", field="lines", max=MAX_BATCH)
    who = reporter_party(session, actor)
    now = now or clock.now()
    outcome = BatchOutcome(rejected=list(rejected))
    checked: list[tuple[int, Event, str]] = []
    for line, raw in lines:
        found = rules.check_event(raw, now=now, own_railway=who.railway, any_reporter=who.admin)
        if isinstance(found, Event):
            checked.append((line, found, document_digest(found.document())))
        else:
            outcome.rejected.append(Rejected(line, found))
    fresh = _fresh(session, checked, outcome)
    linked = _link_notes(session, fresh, outcome)
    if outcome.rejected:
        outcome.recorded = outcome.duplicates = 0
        outcome.rejected.sort(key=lambda r: r.line)
        return outcome
    rows = [_row(event, digest, actor, now) for event, digest in linked]
    repository.insert_events(session, rows)
    _publish(session, rows)
    if rows:
        audit.record(
            session,
            actor,
            "tracking.events_recorded",
            "tracking_event",
            rows[0]["key"],
            {"count": len(rows), "last": rows[-1]["key"], "duplicates": outcome.duplicates},
        )
    outcome.recorded = len(rows)
    return outcome


def _fresh(
    session: Session, checked: list[tuple[int, Event, str]], outcome: BatchOutcome
) -> list[tuple[int, Event, str]]:
    """The lines not yet stored: duplicates counted, reused keys rejected."""
    stored = repository.existing_digests(session, [e.key for _, e, _ in checked])
    seen: dict[str, tuple[int, str]] = {}
    out: list[tuple[int, Event, str]] = []
    for line, event, digest in checked:
        known = stored.get(event.key)
        if known is not None:
            if known == digest:
                outcome.duplicates += 1
            else:
                outcome.rejected.append(
                    _reject(line, "event.key_reused", KEY_REUSED, "key", key=event.key)
                )
            continue
        earlier = seen.get(event.key)
        if earlier is not None:
            if earlier[1] == digest:
                outcome.duplicates += 1
            else:
                outcome.rejected.append(
                    _reject(
                        line, "event.key_twice", KEY_TWICE, "key", key=event.key, line=earlier[0]
                    )
                )
            continue
        seen[event.key] = (line, digest)
        out.append((line, event, digest))
    return out


def _carries(carriers: str, railway: str) -> bool:
    return f"|{railway}|" in carriers


def _link_notes(
    session: Session, fresh: list[tuple[int, Event, str]], outcome: BatchOutcome
) -> list[tuple[Event, str]]:
    """Each event with the note it belongs to (named, or found by its wagon)."""
    named = sorted({e.note_id for _, e, _ in fresh if e.note_id})
    carriers = repository.note_carriers(session, named)
    units = sorted({e.unit for _, e, _ in fresh if not e.note_id})
    by_unit = repository.live_notes_of_units(session, units)
    out: list[tuple[Event, str]] = []
    for line, event, digest in fresh:
        if event.note_id:
            if not _carries(carriers.get(event.note_id, ""), event.reporter):
                outcome.rejected.append(
                    _reject(
                        line,
                        "event.note_unknown",
                        NOTE_UNKNOWN,
                        "note_id",
                        id=event.note_id,
                        railway=event.reporter,
                    )
                )
                continue
            out.append((event, digest))
            continue
        found = by_unit.get(event.unit)
        if found is not None and _carries(found[1], event.reporter):
            event = _with_note(event, found[0])
        out.append((event, digest))
    return out


def _with_note(event: Event, note_id: str) -> Event:
    return event._replace(note_id=note_id)


def _row(event: Event, digest: str, actor: Actor, now: datetime) -> dict[str, Any]:
    return {
        "key": event.key,
        "kind": str(event.kind),
        "unit": event.unit,
        "unit_kind": str(event.unit_kind),
        "station_esr": event.station_esr,
        "at": event.at,
        "reporter": event.reporter,
        "note_id": event.note_id,
        "hold": None if event.hold is None else str(event.hold),
        "remarks": event.remarks,
        "act_id": event.act_id,
        "digest": digest,
        "recorded_at": now,
        "recorded_by": actor.label,
        "organisation_id": actor.organisation_id,
    }


def record_event(session: Session, actor: Actor, raw: Mapping[str, Any]) -> dict[str, Any]:
    """One event (the API): ``recorded`` or ``duplicate``; 422 naming every broken rule."""
    outcome = ingest(session, actor, [(1, raw)])
    if outcome.rejected:
        raise ValidationFailed.from_problems(outcome.rejected[0].problems)
    return {"status": "recorded" if outcome.recorded else "duplicate"}


def write_act_events(
    session: Session, actor: Actor, events: Sequence[Event], now: datetime
) -> None:
    """The ``handover_*`` events a handover act writes for its units (skipped if already
    there: the act is idempotent, so are its events)."""
    stored = repository.existing_digests(session, [e.key for e in events])
    rows = [
        _row(e, document_digest(e.document()), actor, now) for e in events if e.key not in stored
    ]
    repository.insert_events(session, rows)
    _publish(session, rows)


_SHIPPED = ("key", "kind", "unit", "unit_kind", "station_esr", "reporter", "note_id", "hold",
            "remarks", "act_id", "digest")  # fmt: skip


def _publish(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Announce the events of notes (:mod:`temir.kit.changes`): what other nodes and webhook
    subscribers receive (an event of no note concerns neither)."""
    if not changes.active():
        return
    found = []
    for row in rows:
        if row["note_id"]:
            payload = {name: row[name] for name in _SHIPPED}
            payload["at"] = utc(row["at"]).isoformat()
            found.append(changes.Change("event", row["note_id"], row["key"], payload))
    changes.publish(session, found)
