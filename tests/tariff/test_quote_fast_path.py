"""A plain quote question is read before FastAPI routes it (temir.tariff.api.QuotesFastPath):
its answer, headers and errors are the declared route's, and anything not plain is left to
the declared route."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from temir.tariff import answers, service
from temir.tariff.api import QuoteAsked, plain_question

PLAIN = "from=704101&to=746000&cargo=011005&mass_kg=60000"
#: An unknown parameter: FastAPI ignores it, the fast path leaves such a question to the route.
DECLARED = "&zz=1"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    answers.quote_answers.clear()
    yield
    answers.quote_answers.clear()


def _both(client: TestClient, query: str, lang: str) -> tuple[object, object]:
    """The response read by the fast path and by the declared route, each computed afresh."""
    out = []
    for q in (query, query + DECLARED):
        answers.quote_answers.clear()
        got = client.get("/api/v1/quotes?" + q, headers={"Accept-Language": lang})
        heads = {k: v for k, v in got.headers.items() if k not in ("date", "x-request-id")}
        out.append((got.status_code, heads, got.content))
    return out[0], out[1]


@pytest.mark.parametrize(
    ("extra", "lang"),
    [
        ("", "en"),
        ("", "ru"),
        ("&wagon_owner=other&speed=high&alternatives=3", "en"),
        ("&empty_return=true&wagon_owner=other", "ru"),
        ("&lang=ru", "en"),
        ("&alternatives=1&speed=freight", "en"),
    ],
)
def test_a_plain_question_is_answered_as_the_declared_route_answers_it(
    client: TestClient, extra: str, lang: str
) -> None:
    assert plain_question(QueryParams(PLAIN + extra)) is not None
    fast, declared = _both(client, PLAIN + extra, lang)
    assert fast[0] == 200
    assert fast == declared


@pytest.mark.parametrize(
    "query",
    [
        f"from=704101&to=746000&cargo=011005&mass_kg={service.MAX_MASS_KG + 1}",  # over the maximum
        "from=000000&to=746000&cargo=011005&mass_kg=60000",  # no such station
        "from=704101&to=746000&cargo=999999&mass_kg=60000",  # no such cargo
        "from=704101&to=746000&cargo=011005&mass_kg=60000&container=9t",
    ],
)
def test_an_error_of_a_plain_question_is_the_declared_routes_error(
    client: TestClient, query: str
) -> None:
    fast, declared = _both(client, query, "en")
    assert fast[0] in (400, 404, 422), fast
    assert fast == declared


@pytest.mark.parametrize(
    "query",
    [
        "from=704101&to=746000&cargo=011005",  # no mass: the route's own error
        "from=704101&to=746000&cargo=011005&mass=60000",  # the deprecated name
        "from=704101&to=746000&cargo=011005&mass_kg=060000",
        "from=704101&to=746000&cargo=011005&mass_kg=%2B60000",
        "from=704101&to=746000&cargo=011005&mass_kg=60000.0",
        "from=704101&from=704102&to=746000&cargo=011005&mass_kg=60000",
        "from=&to=746000&cargo=011005&mass_kg=60000",
        "from=704101&to=746000&cargo=011005&mass_kg=60000&empty_return=1",
        "from=704101&to=746000&cargo=011005&mass_kg=60000&alternatives=21",
        "from=704101&to=746000&cargo=011005&mass_kg=60000&alternatives=0",
        "from=704101&to=746000&cargo=011005&mass_kg=60000&speed=fast",
        "from=704101&to=746000&cargo=011005&mass_kg=60000&via=",
    ],
)
def test_a_question_not_plain_is_left_to_the_declared_route(query: str) -> None:
    assert plain_question(QueryParams(query)) is None


def test_the_plain_question_reads_every_parameter() -> None:
    query = (
        "from=704101&to=746000&cargo=011005&mass_kg=61000&wagon_owner=other&speed=high"
        "&container=3t&empty_return=true&via=700002&via=700003&alternatives=7&lang=ru"
    )
    assert plain_question(QueryParams(query)) == QuoteAsked(
        "704101", "746000", "011005", 61000, "other", "high", "3t", True,
        ("700002", "700003"), 7,
    )  # fmt: skip
