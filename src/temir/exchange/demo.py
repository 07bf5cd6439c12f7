"""A local federation for trying the exchange: KZH, UTI and TDZ nodes on loopback ports, each
its own server process and database, peers configured, and a note Kostanay → Dushanbe II
driven through two handovers over the wire (KZH → UTI at Saryagash, UTI → TDZ).

Synthetic: the organisations, users and the note are made up (the example note of
:mod:`temir.notes.example`); the stations and route are the real reference data. The same
functions set up the nodes of the fault tests and the benchmark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from temir.accounts import service as accounts
from temir.accounts.model import Actor, OrganisationKind, Role
from temir.exchange import service
from temir.exchange.model import PeerKey
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine

SYSTEM = Actor.system("exchange-demo")
RAILWAYS = ("KZH", "UTI", "TDZ")


@dataclass
class Node:
    """One node: its railway, database, address, the tokens of its demo users, its process."""

    railway: str
    database_url: str
    home: Path
    port: int
    secret: str
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def uow(self) -> UnitOfWork:
        return UnitOfWork(make_engine(self.database_url, threads=2))

    def headers(self, who: str = "operator") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def prepare(
    railway: str,
    database_url: str,
    home: Path,
    port: int,
    *,
    secret: str,
    reference: bool,
    template: Path | None = None,
) -> Node:
    """A migrated database (with reference data if ``reference``: the origin node checks
    notes against the network) made the node of ``railway``, with an operator (and, on KZH, a
    shipper) and their API tokens. ``template``: a SQLite file to copy instead of migrating."""
    home.mkdir(parents=True, exist_ok=True)
    if template is not None and database_url.startswith("sqlite:///"):
        shutil.copyfile(template, database_url.removeprefix("sqlite:///"))
    engine = make_engine(database_url, threads=2)
    if template is None:
        migrate.upgrade(engine)
    if reference:
        from temir.network.service import load_reference

        load_reference(UnitOfWork(engine), SYSTEM)
    uow = UnitOfWork(engine)
    node = Node(railway, database_url, home, port, secret)
    suffix = uuid.uuid4().hex[:6]
    with uow() as session:
        service.init_node(session, SYSTEM, railway, secret)
        org = service.node_organisation(session)
        operator = f"op-{railway.lower()}-{suffix}"
        accounts.create_user(
            session, SYSTEM, username=operator, role=Role.RAILWAY_OPERATOR, organisation=org
        )
        node.users["operator"] = operator
        node.tokens["operator"] = accounts.issue_token(session, SYSTEM, username=operator).secret
        if railway == "KZH":
            slug = f"shipper-{suffix}"
            accounts.create_organisation(
                session,
                SYSTEM,
                slug=slug,
                name="Demo shipper (synthetic)",
                kind=OrganisationKind.SHIPPER,
                country="KZ",
                synthetic=True,
            )
            accounts.create_user(
                session, SYSTEM, username=slug, role=Role.SHIPPER, organisation=slug
            )
            node.users["shipper"] = slug
            node.tokens["shipper"] = accounts.issue_token(session, SYSTEM, username=slug).secret
    engine.dispose()
    return node


def link(nodes: list[Node], kinds: Mapping[str, list[str]] | None = None) -> None:
    """Make every node a peer of every other (keys read from each one's identity)."""
    identities: dict[str, list[PeerKey]] = {}
    for node in nodes:
        uow = node.uow()
        with uow.read() as session:
            identities[node.railway] = [
                PeerKey.model_validate(k) for k in service.identity(session)["keys"]
            ]
    for node in nodes:
        uow = node.uow()
        with uow() as session:
            for other in nodes:
                if other is not node:
                    service.add_peer(
                        session,
                        SYSTEM,
                        other.railway,
                        other.url,
                        identities[other.railway],
                        (kinds or {}).get(other.railway),
                    )


def start(node: Node, *, worker: bool = True, log: Path | None = None) -> Node:
    """Serve the node in its own process (uvicorn), its delivery worker inside; return once
    it answers."""
    launch(node, worker=worker, log=log)
    wait_up(node)
    return node


def launch(node: Node, *, worker: bool = True, log: Path | None = None) -> Node:
    """Start the node's server process without waiting for it (start several at once)."""
    env = {
        **os.environ,
        "TEMIR_DATABASE_URL": node.database_url,
        "TEMIR_HOME": str(node.home),
        "TEMIR_SECRET_KEY": node.secret,
        "TEMIR_EXCHANGE_WORKER": "1" if worker else "0",
        "TEMIR_EXCHANGE_INTERVAL": "0.2",
        "TEMIR_THREADS": "8",
    }
    out = open(log or node.home / "server.log", "ab")  # noqa: SIM115 - the child keeps it
    node.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "uvicorn",
            "temir.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(node.port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    return node


def wait_up(node: Node, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.process is not None and node.process.poll() is not None:
            raise RuntimeError(f"node {node.railway} exited with {node.process.returncode}")
        try:
            if httpx.get(node.url + "/api/v1/exchange/identity", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"node {node.railway} did not come up on {node.url}")


def kill(node: Node, hard: bool = True) -> None:
    if node.process is not None and node.process.poll() is None:
        if hard:
            node.process.kill()
        else:
            node.process.terminate()
        node.process.wait(timeout=20)
    node.process = None


def call(node: Node, method: str, path: str, who: str = "operator", **kwargs: Any) -> Any:
    headers = {**node.headers(who), **kwargs.pop("headers", {})}
    answer = httpx.request(method, node.url + path, headers=headers, timeout=30, **kwargs)
    if answer.status_code >= 400:
        raise RuntimeError(f"{node.railway} {method} {path}: {answer.status_code} {answer.text}")
    return answer.json()


def holding(node: Node, note_id: str) -> dict[str, Any]:
    result: dict[str, Any] = call(node, "GET", f"/api/v1/exchange/notes/{note_id}")
    return result


def until(what: Callable[[], bool], timeout: float = 30, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(every)
    return what()


def example_draft() -> dict[str, Any]:
    """The example note Kostanay → Dushanbe II as a draft (synthetic parties)."""
    from temir.notes.example import example_note
    from temir.notes.lifecycle import draft_of

    draft: dict[str, Any] = draft_of(example_note()).model_dump(mode="json", exclude_none=True)
    return draft


def new_note(kzh: Node) -> str:
    """A note Kostanay → Dushanbe II (the example), made by the shipper and accepted by KZH."""
    draft = example_draft()
    note_id = str(call(kzh, "POST", "/api/v1/notes", "shipper", json=draft)["id"])
    call(kzh, "POST", f"/api/v1/notes/{note_id}/submit", "shipper")
    call(
        kzh,
        "POST",
        f"/api/v1/notes/{note_id}/accept",
        json={"consignment_number": f"D{uuid.uuid4().hex[:8].upper()}"},
    )
    return note_id


def handovers(nodes: dict[str, Node], note_id: str, timeout: float = 60) -> list[str]:
    """KZH offers to UTI, UTI accepts; UTI offers to TDZ, TDZ accepts: the act ids."""
    kzh, uti, tdz = nodes["KZH"], nodes["UTI"], nodes["TDZ"]
    first = call(kzh, "POST", "/api/v1/handovers", json={"note_id": note_id})["act_id"]
    until(lambda: first in holding(uti, note_id)["acts"], timeout)
    call(uti, "POST", f"/api/v1/exchange/acts/{first}/accept")
    until(lambda: holding(kzh, note_id)["custody"] == "UTI", timeout)
    second = call(uti, "POST", f"/api/v1/exchange/notes/{note_id}/offer")["act_id"]
    until(lambda: second in holding(tdz, note_id)["acts"], timeout)
    call(tdz, "POST", f"/api/v1/exchange/acts/{second}/accept")
    return [str(first), str(second)]


def run(home: Path, base_port: int, *, keep: bool, say: Callable[[str], None]) -> None:
    """``temir exchange demo``: three nodes, one note, two handovers, what each node holds."""
    if home.exists():
        shutil.rmtree(home)
    nodes: dict[str, Node] = {}
    try:
        for offset, railway in enumerate(RAILWAYS):
            where = home / railway.lower()
            where.mkdir(parents=True)
            say(f"{railway}: preparing its database in {where}")
            nodes[railway] = prepare(
                railway,
                f"sqlite:///{where / 'temir.sqlite3'}",
                where,
                base_port + offset,
                secret=uuid.uuid4().hex,
                reference=railway == "KZH",
            )
        link(list(nodes.values()))
        for node in nodes.values():
            launch(node)
        for node in nodes.values():
            wait_up(node)
            say(f"{node.railway}: serving {node.url} (status: {node.url}/exchange)")
        note_id = new_note(nodes["KZH"])
        say(f"note {note_id} made by the shipper and accepted by KZH")
        acts = handovers(nodes, note_id)
        say(f"handover acts {acts[0]} (KZH → UTI) and {acts[1]} (UTI → TDZ) accepted")
        until(lambda: all(holding(n, note_id)["custody"] == "TDZ" for n in nodes.values()))
        for node in nodes.values():
            held = holding(node, note_id)
            say(
                f"{node.railway}: versions {len(held['versions'])}, signatures "
                f"{len(held['signatures'])}, events {len(held['events'])}, acts "
                f"{len(held['acts'])}, custody {held['custody']}"
            )
        if keep:
            say("the nodes keep running; stop them with Ctrl-C")
            for node in nodes.values():
                say(f"  {node.railway} operator token: {node.tokens['operator']}")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for node in nodes.values():
            kill(node, hard=False)
