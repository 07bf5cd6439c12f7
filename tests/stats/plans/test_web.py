"""The plan-against-actual page on the hand-made facts of ``test_web_dashboard``."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork
from temir.stats.plans import service as plan_service
from tests.stats.volumes.test_web import client, settings, web_engine  # noqa: F401

ACTOR = Actor.system("tests")  # a system actor acts as administrator


@pytest.fixture(scope="module")
def planned(web_engine: Engine) -> None:  # noqa: F811
    """2025 plan: export grain 1,800 t in January, import ore 1,000 t in March."""
    with UnitOfWork(web_engine)() as session:
        plan_service.set_plan(session, ACTOR, 2025, "KZ", "TJ", "export", "grain", 1_800, month=1)
        plan_service.set_plan(
            session, ACTOR, 2025, "KZ", "TJ", "import", "nonferrous_ore", 1_000, 3
        )


def rows(page: str, name: str) -> dict[str, tuple[int, int]]:
    match = re.search(rf'data-testid="plan-table-{name}".*?</table>', page, re.S)
    assert match
    found = re.findall(
        r'<tr data-key="([^"]+)">.*?data-plan="(\d+)".*?data-actual="(\d+)"', match.group(0), re.S
    )
    return {key: (int(plan), int(actual)) for key, plan, actual in found}


@pytest.mark.usefixtures("planned")
def test_plan_against_actual_page(client: TestClient) -> None:  # noqa: F811
    page = client.get("/stats/plan", params={"year": 2025}, headers={"accept-language": "en"})
    assert page.status_code == 200
    directions = rows(page.text, "direction")
    # actual export 3,000 t (all groups), import 500 t, transit 1,500 t (from the facts)
    assert directions == {
        "export": (1_800, 3_000),
        "import": (1_000, 500),
        "transit": (0, 1_500),
        "total": (2_800, 5_000),
    }
    assert rows(page.text, "month")["03"] == (1_000, 1_500)
    # 5,000 / 2,800 = 178.6 %
    assert 'data-testid="fulfilment">178.6\u00a0%<' in page.text
    # the plan and 2025 facts are real, but the forecast shown rests on the synthetic 2023
    assert 'data-testid="plan-panel-forecast"' in page.text
    assert 'data-testid="synthetic-badge"' in page.text
    assert 'data-testid="plan-chart-month"' in page.text


def test_plan_page_without_a_plan_says_so(client: TestClient) -> None:  # noqa: F811
    page = client.get("/stats/plan", params={"year": 2024}, headers={"accept-language": "ru"})
    assert page.status_code == 200
    assert "План на 2024 год не введён." in page.text
    assert "Прогноз на 2024 год по месяцам" in page.text


def test_plan_page_bad_pair(client: TestClient) -> None:  # noqa: F811
    page = client.get("/stats/plan", params={"a": "TJ", "b": "TJ"})
    assert page.status_code == 422
    assert "Choose two different countries." in page.text
