"""The tracking pages as each party sees them: timeline, map, custody, ETA, acts; a border point."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from temir.accounts import service as accounts
from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork
from temir.tracking import acts, service
from tests.tracking.helpers import (
    ALMATY_1,
    KOSTANAY,
    KYZYLORDA,
    SARYAGASH_EXP,
    Shipment,
    event,
    ship,
)


def bearer(uow: UnitOfWork, actor: Actor) -> dict[str, str]:
    with uow() as session:
        token = accounts.issue_token(session, Actor.system("tests"), username=actor.label).secret
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def moving(uow: UnitOfWork, shipment: Shipment) -> Shipment:
    """The shipment's wagons reported along KZH, one off the route; handed over to UTI."""
    w, t = shipment.world, shipment.accepted_at
    lines = [
        event("departure", shipment.wagons[0], KOSTANAY, t + timedelta(hours=5)),
        event("station_arrival", shipment.wagons[0], ALMATY_1, t + timedelta(days=1)),
        event("station_arrival", shipment.wagons[0], KYZYLORDA, t + timedelta(days=2)),
        event("station_arrival", shipment.wagons[1], SARYAGASH_EXP, t + timedelta(days=4)),
    ]
    with uow() as session:
        service.ingest(session, w.kzh, list(enumerate(lines, 1)))
        act = acts.offer(session, w.kzh, shipment.note_id, units=[shipment.wagons[1]],
                         at=t + timedelta(days=4, hours=2))  # fmt: skip
        acts.accept(session, w.uti, act.act_id, at=t + timedelta(days=5))
    return shipment


def test_the_tracking_page_shows_timeline_custody_eta_acts_and_map(
    client: TestClient, uow: UnitOfWork, moving: Shipment
) -> None:
    headers = bearer(uow, moving.world.shipper)
    page = client.get("/tracking", params={"q": moving.note_id}, headers=headers)
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="track-result"' in html
    assert html.count('data-testid="unit-row"') == 2
    assert 'data-code="off_route"' in html
    assert 'data-testid="act-row"' in html
    assert 'data-testid="route-marker"' in html
    assert 'data-testid="unverified-norms"' in html
    assert f'href="/tracking/borders/{SARYAGASH_EXP}"' in html
    assert '<span class="rw rw-UTI">UTI</span>' in html  # the second wagon is UTI's now
    ru = client.get("/tracking", params={"q": moving.note_id, "lang": "ru"}, headers=headers)
    assert "Где и у кого" in ru.text
    assert "Кызылорда" in ru.text


def test_an_outsider_gets_not_found_and_a_visitor_the_login(
    client: TestClient, uow: UnitOfWork, moving: Shipment
) -> None:
    stranger = ship(uow).world.shipper
    page = client.get("/tracking", params={"q": moving.wagons[0]}, headers=bearer(uow, stranger))
    assert page.status_code == 404
    assert 'data-testid="track-error"' in page.text
    assert moving.note_id not in page.text
    visitor = client.get("/tracking", params={"q": moving.wagons[0]}, follow_redirects=False)
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/login?next=/tracking")


def test_the_border_point_page_shows_waiting_wagons_and_dwell(
    client: TestClient, uow: UnitOfWork, shipment: Shipment
) -> None:
    w = shipment.world
    arrived = datetime.now(UTC) - timedelta(hours=30)
    with uow() as session:
        service.ingest(session, w.kzh, [
            (1, event("station_arrival", shipment.wagons[0], SARYAGASH_EXP, arrived)),
            (2, event("station_arrival", shipment.wagons[1], SARYAGASH_EXP, arrived)),
        ])  # fmt: skip
        act = acts.offer(session, w.kzh, shipment.note_id, units=[shipment.wagons[0]], at=arrived)
        acts.accept(session, w.uti, act.act_id, at=arrived + timedelta(hours=28))
    page = client.get(f"/tracking/borders/{SARYAGASH_EXP}", headers=bearer(uow, w.uti))
    assert page.status_code == 200
    assert shipment.wagons[1] in page.text.split('data-testid="waiting"')[1].split("</section>")[0]
    assert 'data-testid="dwell-month"' in page.text
    index = client.get("/tracking/borders", headers=bearer(uow, w.uti))
    assert f'href="/tracking/borders/{SARYAGASH_EXP}"' in index.text
    missing = client.get(f"/tracking/borders/{KOSTANAY}", headers=bearer(uow, w.uti))
    assert missing.status_code == 404


def test_route_comparison_shows_the_observed_border_dwell(
    client: TestClient, uow: UnitOfWork, shipment: Shipment
) -> None:
    w = shipment.world
    arrived = datetime.now(UTC) - timedelta(hours=40)
    with uow() as session:
        service.ingest(session, w.kzh, [
            (1, event("station_arrival", u, SARYAGASH_EXP, arrived)) for u in shipment.wagons
        ])  # fmt: skip
        act = acts.offer(session, w.kzh, shipment.note_id, at=arrived)
        acts.accept(session, w.uti, act.act_id, at=arrived + timedelta(hours=30))
    page = client.get(
        "/quote", params={"from": KOSTANAY, "to": "745309", "cargo": "011005", "mass": "68000"}
    )
    assert page.status_code == 200
    assert 'data-testid="border-dwell"' in page.text
    assert f'href="/tracking/borders/{SARYAGASH_EXP}" data-testid="dwell-link"' in page.text
