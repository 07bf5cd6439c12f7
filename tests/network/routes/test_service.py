"""Route use cases: stations by code or name, and batches that carry errors per row."""

from __future__ import annotations

import pytest

from temir.kit.errors import NotFound
from temir.network.routes import service
from temir.network.routing import Router
from temir.network.routing.loader import shipped


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_unknown_station_and_names(router: Router) -> None:
    with pytest.raises(NotFound) as err:
        service.find_routes(router, "Нетакой", "745309")
    assert err.value.field == "from"
    assert service.resolve_station(router, "костанай", "from") == "684001"


def test_batch_rows_carry_errors_not_exceptions(router: Router) -> None:
    rows = list(service.batch_routes(router, [("684001", "745309"), ("684001", "12")]))
    assert rows[0].km == 3151
    assert rows[0].km_by_railway == "KZH:2213;UTI:875;TDZ:63"
    assert rows[0].borders == "704101-720602;736206-746000"
    assert rows[1].km is None
    assert rows[1].error.startswith("route.unknown_station")
