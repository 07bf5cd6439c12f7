"""Migration 0012 indexes the box 15 containers of notes stored before it beside their box 7
wagons, so their events find their note; downgrading and upgrading again keeps it whole."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from temir.kit import migrate
from temir.kit.db import make_engine
from tests.conftest import fresh_database_url, worker_suffix


def test_containers_of_stored_notes_are_indexed_by_the_migration(
    backend: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url(backend, f"temir_mig_{worker_suffix()}", tmp_path))
    migrate.upgrade(engine, "0011")
    now = datetime.now(UTC)
    goods = [{"container": {"number": "csqu3054383"}}, {"container": None}, {}]
    document = {"wagons": [{"number": "52171246"}], "goods": goods}
    notes = sa.table("notes", *(sa.column(c) for c in ("id", "status", "current_version",
                     "carriers", "created_by", "created_at", "updated_at")))  # fmt: skip
    columns = ("note_id", "version", "digest", "created_by", "created_at", "reason")
    versions = sa.table(
        "note_versions", *(sa.column(c) for c in columns), sa.column("document", sa.JSON)
    )
    wagons = sa.table("note_wagons", sa.column("note_id"), sa.column("wagon"))
    with engine.begin() as conn:
        for note_id, current in (("n-1", 2), ("n-2", 1)):
            conn.execute(sa.insert(notes), [{"id": note_id, "status": "accepted",
                         "current_version": current, "carriers": "|KZH|", "created_by": "t",
                         "created_at": now, "updated_at": now}])  # fmt: skip
        rows = [("n-1", 1, {"goods": [{"container": {"number": "TGHU0000000"}}]}),
                ("n-1", 2, document), ("n-2", 1, document)]  # fmt: skip
        conn.execute(sa.insert(versions), [
            {"note_id": n, "version": v, "document": d, "digest": "0" * 64, "created_by": "t",
             "created_at": now, "reason": "r"} for n, v, d in rows
        ])  # fmt: skip
        conn.execute(sa.insert(wagons), [{"note_id": "n-1", "wagon": "52171246"},
                                         {"note_id": "n-2", "wagon": "CSQU3054383"}])  # fmt: skip
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0011")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        found = sorted(tuple(r) for r in conn.execute(sa.select(wagons.c.note_id, wagons.c.wagon)))
    engine.dispose()
    assert found == [("n-1", "52171246"), ("n-1", "CSQU3054383"), ("n-2", "CSQU3054383")]
