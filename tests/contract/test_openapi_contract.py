"""The OpenAPI contract holds: schemathesis generates requests for every operation of the
schema and sends each one unauthenticated and as every role; no answer is a server error, and
every answer matches the contract (status code declared, content type, body schema, headers).
SQLite and PostgreSQL, each on a database of its own (the generated writes stay there).

Bounded: a few examples per operation, so the whole run stays within a couple of minutes. The
DELETE of a token is left out — it would revoke the very tokens the run authenticates with.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from temir.accounts import service as accounts
from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from tests.conftest import fresh_database_url, settings_for, worker_suffix
from tests.notes.store_helpers import make_world

#: The rules a schema cannot state, each with why: a schema-valid request refused with one of
#: these codes is the product working. Any other 422 on schema-valid data means the contract
#: promises more than the validators accept (a pattern, enum, range or limit missing).
BEYOND_THE_SCHEMA = {
    "esr.check_digit": "a check digit",
    "esr.all_zero": "zeros pass the pattern, name no station",
    "etsng.check_digit": "a check digit",
    "event.unit": "wagon and container check digits",
    "event.future": "depends on the clock",
    "event.hold_needed": "depends on the kind given",
    "event.hold_not_here": "depends on the kind given",
    "event.reporter": "railways are reference data",
    "event.reporter_missing": "depends on the caller",
    "event.other_reporter": "depends on the caller",
    "event.note_id": "a UUID's form is declared, the rule reads only canonical text",
    "note.carrier_box": "depends on who writes: a carrier's boxes in a consignor's note",
    "note.store_boxes": "boxes filled by a step of carriage (29, 26, 27…), not by an edit",
    "note.invalid_dates": "two parameters compared",
    "invalid_railway_code": "only a railway organisation has one: two fields compared",
    "quote.mass_missing": "one of two parameters (mass_kg or the deprecated mass)",
    "dangerous.no_code": "one of two parameters (etsng or gng)",
    "exchange.no_keys": "a new peer needs a key, an update of a known one does not",
    "exchange.peer_is_self": "depends on this node's own railway",
    "handover.no_discrepancy": "a discrepancy of an empty kind",
    "stats.import.format": "the file's content",
    "stats.same_country": "two parameters compared",
    "tracking.batch_refused": "the uploaded lines' content",
    "webhooks.organisation": "depends on the caller (administrators name one)",
    "webhooks.url_address": "which hosts may be called (no link-local, multicast…)",
}


def the_schema_refuses_what_the_request_validators_refuse(
    ctx: Any, response: Any, case: Any
) -> None:
    """A request the schema calls well formed is refused only by a rule beyond the schema."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    try:
        error = response.json()["error"]
        codes = {error["code"], *(p.get("code") for p in error.get("problems", []))}
    except (ValueError, KeyError, TypeError, AttributeError):
        codes = {None}
    if not any(str(c) in BEYOND_THE_SCHEMA or (str(c).startswith("N-") and c != "N-000-SCHEMA")
               for c in codes):  # fmt: skip
        raise AssertionError(f"schema-valid request refused: {response.text[:600]}")


CHECKS = [
    not_a_server_error,
    the_schema_refuses_what_the_request_validators_refuse,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("shipper", "kzh", "viewer", "admin")


@pytest.fixture(scope="session")
def contract(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from temir.app import create_app
    from temir.network.service import load_reference

    home = tmp_path_factory.mktemp("contract")
    url = fresh_database_url(backend, f"temir_contract_{worker_suffix()}", home)
    engine = make_engine(url)
    migrate.upgrade(engine)
    uow = UnitOfWork(engine)
    load_reference(uow, Actor.system("tests"))
    world = make_world(uow)
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    with uow() as session:
        for role in ROLES:
            label = getattr(world, role).label
            token = accounts.issue_token(session, Actor.system("tests"), username=label).secret
            headers[role] = {"Authorization": f"Bearer {token}"}
    app = create_app(settings_for(engine, Path(home)))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(
        method="DELETE", path="/api/v1/tokens/{token_id}"
    )
    yield {"schema": schema, "headers": headers}
    engine.dispose()


def run_operation(operation: Any, headers: dict[str, dict[str, str]], seen: list[int]) -> None:
    @settings(
        max_examples=5, deadline=None, phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck), derandomize=True, database=None,
    )  # fmt: skip
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        for each in headers.values():
            seen.append(case.call_and_validate(headers=each, checks=CHECKS).status_code)

    check()


def test_every_operation_keeps_the_contract(contract: dict[str, Any]) -> None:
    failures = []
    count = 0
    seen: list[int] = []
    for result in contract["schema"].get_all_operations():
        operation = result.ok()
        count += 1
        try:
            run_operation(operation, contract["headers"], seen)
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert count > 60
    assert len(seen) >= count * len(contract["headers"])  # every operation, every caller
    assert {200, 401, 403, 404, 422} <= set(seen), sorted(set(seen))
    print(f"{len(seen)} requests: " + ", ".join(f"{c}×{seen.count(c)}" for c in sorted(set(seen))))
    assert failures == [], "\n\n".join(failures)
