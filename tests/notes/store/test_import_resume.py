"""``temir notes import`` is rerunnable: killed with SIGKILL in the middle (a real process), run
again, the file ends up stored once — nothing duplicated, nothing missing — and the summary
counts the lines already present. Lines with a ``note_id`` keep it; lines without one are keyed
by their content. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from temir.accounts import service as accounts
from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.notes.store.tables import NoteRow
from temir.signing.canonical import canonical_json
from tests.notes.store_helpers import SECRET, World, draft, make_world

LINES = 2000


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def stored_ids(uow: UnitOfWork, world: World) -> list[str]:
    with uow.read() as session:
        return list(
            session.scalars(
                select(NoteRow.id).where(NoteRow.consignor_org_id == world.shipper.organisation_id)
            )
        )


def note_file(path: Path, count: int) -> list[str | None]:
    """``count`` distinct drafts; every other one brings its own note_id."""
    ids: list[str | None] = []
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            note = draft()
            note["goods"][0]["description"] = f"{note['goods'][0]['description']} — партия {n}"
            own = str(uuid.uuid4()) if n % 2 == 0 else None
            note["note_id"] = own or ""  # "": keyed by content
            ids.append(own)
            fh.write(canonical_json(note).decode("utf-8") + "\n")
    return ids


def temir(engine: Engine, home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TEMIR_LANG": "en", "TEMIR_HOME": str(home), "TEMIR_SECRET_KEY": SECRET,
           "TEMIR_DATABASE_URL": engine.url.render_as_string(hide_password=False)}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "temir.cli", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_a_killed_import_run_again_stores_every_line_once(
    engine: Engine, uow: UnitOfWork, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "notes.jsonl"
    own_ids = note_file(path, LINES)
    args = ("notes", "import", str(path), "--batch", "50", "--as", world.shipper.label, "--json")
    first = temir(engine, tmp_path, *args)
    deadline = time.monotonic() + 60
    while len(stored_ids(uow, world)) < 200:
        assert first.poll() is None, first.communicate()
        if time.monotonic() > deadline:
            first.kill()
            pytest.fail(f"no progress: {first.communicate()}")
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert first.returncode == -signal.SIGKILL
    before = len(stored_ids(uow, world))
    assert 200 <= before < LINES  # killed in the middle, whole batches only
    assert before % 50 == 0

    second = temir(engine, tmp_path, *args)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert report["already_present"] == before
    assert report["written"] == LINES - before
    assert report["invalid_lines"] == 0
    ids = stored_ids(uow, world)
    assert len(ids) == len(set(ids)) == LINES
    assert {i for i in own_ids if i} <= set(ids)

    third = temir(engine, tmp_path, *args)
    out, err = third.communicate(timeout=300)
    assert third.returncode == 0, err
    assert (json.loads(out)["written"], json.loads(out)["already_present"]) == (0, LINES)
    assert len(stored_ids(uow, world)) == LINES


def test_an_id_of_another_note_is_refused_and_the_api_counts_what_is_there(
    engine: Engine, uow: UnitOfWork, world: World, tmp_path: Path
) -> None:
    from temir.app import create_app

    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), home=tmp_path,
        secret_key=SECRET, host="127.0.0.1", port=8000, secure_cookies=False,
    )  # fmt: skip
    with uow() as s:
        token = accounts.issue_token(s, Actor.system("tests"), username=world.shipper.label).secret
        other = accounts.issue_token(
            s, Actor.system("tests"), username=world.other_shipper.label
        ).secret
    note = draft()
    note["note_id"] = str(uuid.uuid4())
    line = canonical_json(note) + b"\n"
    with TestClient(create_app(settings)) as client:
        url = "/api/v1/notes/import"
        first = client.post(url, content=line * 2, headers={"Authorization": f"Bearer {token}"})
        assert first.status_code == 200, first.text
        assert (first.json()["written"], first.json()["already_present"]) == (1, 1)
        again = client.post(url, content=line, headers={"Authorization": f"Bearer {token}"})
        assert (again.json()["written"], again.json()["already_present"]) == (0, 1)
        changed = dict(note, consignor_declarations="иное")
        conflict = client.post(
            url, content=canonical_json(changed), headers={"Authorization": f"Bearer {token}"}
        )
        assert conflict.json()["invalid"][0]["issues"][0]["rule"] == "note.import_id"
        foreign = client.post(url, content=line, headers={"Authorization": f"Bearer {other}"})
        assert foreign.json()["written"] == 0
        assert foreign.json()["invalid"][0]["issues"][0]["rule"] == "note.import_id"
        bad = dict(note, note_id="../../etc")
        refused = client.post(
            url, content=canonical_json(bad), headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.json()["invalid"][0]["issues"][0]["path"] == "note_id"
    assert len(stored_ids(uow, world)) == 1
