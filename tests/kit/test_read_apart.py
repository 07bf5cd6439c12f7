"""``kit.db.read_apart``: a read of tables with nothing pending in the session leaves the rows
added elsewhere unflushed; a read of a table with pending rows still flushes and sees them."""

from __future__ import annotations

from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from temir.kit.db import read_apart


class _Base(DeclarativeBase):
    pass


class Written(_Base):
    __tablename__ = "written"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(20))


class Looked(_Base):
    __tablename__ = "looked"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(20))


def _session() -> Session:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    return Session(engine)


def test_a_read_of_another_table_flushes_nothing() -> None:
    with _session() as session:
        row = Written(text="pending")
        session.add(row)
        with read_apart(session, Looked):
            assert session.scalars(select(Looked)).all() == []
        assert row in session.new  # still pending: not flushed by the read
        session.flush()
        assert row not in session.new


def test_a_read_of_a_table_with_pending_rows_sees_them() -> None:
    with _session() as session:
        session.add(Looked(text="pending"))
        with read_apart(session, Looked):
            assert [r.text for r in session.scalars(select(Looked))] == ["pending"]
        changed = session.scalars(select(Looked)).one()
        changed.text = "changed"  # dirty, not new
        with read_apart(session, Looked):
            found = session.scalars(select(Looked.text)).all()
        assert found == ["changed"]
