"""The tracking demo: wagons in transit on the real KZ → TJ route, with signed acts; labelled."""

from __future__ import annotations

from sqlalchemy import select

from temir.accounts import service as accounts
from temir.accounts.model import Channel
from temir.demo import service
from temir.kit.db import UnitOfWork
from temir.notes.store import service as notes
from temir.notes.store.tables import NoteRow
from temir.tracking import borders, timeline
from tests.demo.test_demo import ACTOR, quiet


def test_the_demo_has_wagons_in_transit_delivered_notes_that_verify_and_border_dwell(
    uow: UnitOfWork,
) -> None:
    service.run(uow, ACTOR, console=quiet(), only=["accounts", "notes", "tracking"])
    with uow.read() as session:
        consignee = accounts.actor_for(session, "demo-consignee", Channel.WEB)
        shipper = accounts.actor_for(session, "demo-shipper", Channel.WEB)
        rows = session.execute(select(NoteRow.id, NoteRow.status, NoteRow.number)).all()
        tracked = [r for r in rows if (r.number or "").startswith("TRK")]
        assert len(tracked) == 30
        moving = [r for r in tracked if r.status in ("accepted", "in_transit")]
        assert moving  # some are on their way now
        for row in moving[:2]:
            found = timeline.track(session, consignee, row.id)  # the consignee sees them
            assert found.note is not None
            assert found.note.synthetic
            assert all(e.event.remarks == "synthetic demo" for u in found.units for e in u.entries
                       if not e.event.kind.startswith("handover"))  # fmt: skip
        delivered = next(r for r in tracked if r.status == "delivered")
        verdict = notes.verify(session, shipper, delivered.id)
        assert (verdict["valid"], verdict["unsigned_versions"]) == (True, [])
        point = borders.border_point(session, shipper, "704101")
        assert point.overall
        assert point.overall[0].count >= 40  # two wagons a note, over the completed ones
        assert 12 <= float(point.overall[0].median_hours) <= 96
    again = service.run(uow, ACTOR, console=quiet(), only=["tracking"])
    assert again[0].created == 0
