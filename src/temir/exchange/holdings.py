"""What a node holds of one note: its own records (notes store, tracking) and those received
from peers, merged — so that "every node has every version, event and act exactly once, and
custody agrees" can be checked by asking each node the same question.

Custody follows the accepted acts from box 22's first carrier: an act accepted by the incoming
railway (on this node, or received from the railway that accepted it) moves it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from temir.exchange import repository
from temir.exchange.inbox import replica_carriers
from temir.notes.store import repository as notes_repository
from temir.tracking import repository as tracking_repository
from temir.tracking.service import document_digest


def holding(session: Session, note_id: str) -> dict[str, Any]:
    versions: dict[int, str] = {}
    signatures: set[str] = set()
    events: set[str] = set()
    acts: dict[str, dict[str, Any]] = {}
    carriers: list[str] = []
    local = notes_repository.note_row(session, note_id)
    if local is not None:
        carriers = [c for c in local.carriers.split("|") if c]
        versions = {v.version: v.digest for v in notes_repository.version_rows(session, note_id)}
        signatures = {
            f"v{s.version}:{s.key_id}" for s in notes_repository.signature_rows(session, note_id)
        }
        events = {e.key for e in tracking_repository.events_of_note(session, note_id)}
        for act in tracking_repository.act_rows_of_note(session, note_id):
            acts[act.id] = {
                "from": act.from_railway,
                "to": act.to_railway,
                "offer_digest": act.offer_digest,
                "status": act.status,
                "decision_digest": act.decision_digest,
            }
    for rec in repository.records_of_note(session, note_id):
        p = rec.payload
        if rec.kind == "note_version":
            versions[int(p["version"])] = str(p["digest"])
        elif rec.kind == "note_signature":
            signatures.add(f"v{p['version']}:{p['key_id']}")
        elif rec.kind == "event":
            events.add(str(p["key"]))
        elif rec.kind == "handover_offer":
            doc = p["document"]
            acts.setdefault(str(p["act_id"]), {"status": "offered", "decision_digest": None})
            acts[str(p["act_id"])].update(
                {
                    "from": doc["from_railway"],
                    "to": doc["to_railway"],
                    "offer_digest": document_digest(doc),
                }
            )
        else:
            entry = acts.setdefault(str(p["act_id"]), {})
            entry["status"] = str(p["document"]["status"])
            entry["decision_digest"] = document_digest(p["document"])
    if not carriers:
        carriers = replica_carriers(session, note_id)
    return {
        "note_id": note_id,
        "versions": {str(k): versions[k] for k in sorted(versions)},
        "signatures": sorted(signatures),
        "events": sorted(events),
        "acts": {k: acts[k] for k in sorted(acts)},
        "carriers": carriers,
        "custody": custody(carriers, acts),
    }


def custody(carriers: list[str], acts: dict[str, dict[str, Any]]) -> str | None:
    """Who holds the note: box 22's first carrier, moved along each accepted act."""
    if not carriers:
        return None
    holder = carriers[0]
    accepted = [a for a in acts.values() if a.get("status") == "accepted"]
    moved = True
    while moved:
        moved = False
        for act in accepted:
            if act.get("from") == holder:
                holder, moved = str(act["to"]), True
                accepted.remove(act)
                break
    return holder
