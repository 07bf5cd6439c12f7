"""The carrier's own entries in the note: a commercial report (box 31) and an extension of the
delivery time (box 32).

Why steps and not edits: these boxes are the carrier's statements — a consignor's draft may not
fill them (:func:`temir.notes.lifecycle.refuse_carrier_boxes`; a shipper must not grant itself an
extension), and a correction may not rewrite them. The carrier that has the goods adds an entry:
a new version, signed with its key like every lifecycle step, an event and an audit record. SMGS
Art. 24 extensions are recorded in box 32, at most two (FTS ``RailwayBill``, domain.md §1.3;
domain2.md §1.2: the grounds are a closed list, so each entry carries its reason).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.codes.esr import examine_esr
from temir.kit import clock
from temir.kit.errors import Conflict, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.lifecycle import NoteAction
from temir.notes.model import MAX_EXTENSIONS, CommercialReport, Extension
from temir.notes.store import checks, records, repository, signer
from temir.notes.store.model import NoteDetail

MAX_REPORT_NUMBER = 40
MAX_DAYS = 365


def _station(esr: str) -> str:
    """A valid ESR code for the entry's station, or 422 with the code rule that failed."""
    code = esr.strip()
    problems = examine_esr(code).problems
    if problems:
        raise ValidationFailed.from_problems(
            [type(p)(p.code, p.msgid, "station_esr", p.params, p.severity) for p in problems]
        )
    return code


def record_commercial_report(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    number: str,
    station_esr: str,
    drawn_up_at: datetime | None = None,
    secret: str | None = None,
) -> NoteDetail:
    """The carrier in custody adds a commercial report (box 31): number, station, moment."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.REPORT, who, facts)
    status = lifecycle.next_status(NoteAction.REPORT, facts.status)
    text = number.strip()
    if not text or len(text) > MAX_REPORT_NUMBER:
        raise ValidationFailed(
            N_("Give the number of the commercial report (at most {max} characters)."),
            code="note.report_number",
            field="number",
            max=MAX_REPORT_NUMBER,
        )
    station = _station(station_esr)
    now = clock.now()
    entry = CommercialReport(number=text, station_esr=station, drawn_up_at=drawn_up_at or now)
    reports = [r.model_dump(mode="json", exclude_none=True) for r in note.commercial_reports]
    changed = checks.next_of(
        note, {"commercial_reports": [*reports, entry.model_dump(mode="json")]}
    )
    stored = records.append_version(
        session, row, changed, actor, f"commercial report {text}: box 31", now
    )
    signed = signer.sign_new(session, actor, row, stored, changed, secret, now)
    row.status = str(status)
    details = {
        "box_31": {"number": text, "station": station, "at": repository.iso(entry.drawn_up_at)}
    }
    records.record_event(session, row, NoteAction.REPORT, facts.status, actor, now, details)
    return records.detail_of(session, row, changed, written=(stored, signed))


def extend_delivery_time(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    days: int,
    reason: str,
    station_esr: str,
    secret: str | None = None,
) -> NoteDetail:
    """The carrier in custody records an extension of the delivery time (box 32, at most two)."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.EXTEND, who, facts)
    status = lifecycle.next_status(NoteAction.EXTEND, facts.status)
    if len(note.extensions) >= MAX_EXTENSIONS:
        raise Conflict(
            N_("Box 32 already holds {max} extensions, as many as the note has room for."),
            code="note.extensions_full",
            field="box 32",
            max=MAX_EXTENSIONS,
        )
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(
            N_("An extension is 1 to {max} days."), code="note.extension_days", field="days",
            max=MAX_DAYS,
        )  # fmt: skip
    why = checks.reason(reason, required=True)
    station = _station(station_esr)
    now = clock.now()
    entry = Extension(reason=why, days=days, station_esr=station, recorded_at=now)
    extensions = [e.model_dump(mode="json", exclude_none=True) for e in note.extensions]
    changed = checks.next_of(note, {"extensions": [*extensions, entry.model_dump(mode="json")]})
    stored = records.append_version(
        session, row, changed, actor, f"extension {days} d: box 32", now
    )
    signed = signer.sign_new(session, actor, row, stored, changed, secret, now)
    row.status = str(status)
    details = {"box_32": {"days": days, "reason": why, "station": station}}
    records.record_event(session, row, NoteAction.EXTEND, facts.status, actor, now, details)
    return records.detail_of(session, row, changed, written=(stored, signed))
