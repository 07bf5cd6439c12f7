"""One network per loaded edition: the route engine and the note rules' view, for every use case.

Why one provider: a quote, a batch of routes and the check of a note's boxes 22 and 38 must see
the same network. Before, quotes read the database and the notes the shipped CSVs, so after a
new TR-4 edition was loaded the two could disagree. Every entry point now asks here with the
session it has (CLI commands without one use the runtime database, :func:`runtime_network`).

Why keyed by the load digests (:func:`temir.network.repository.network_digest`): ``temir ref
load`` writes each dataset's SHA-256 in the same unit of work as its rows, so the key is one
small read per request and changes exactly when the engine's data does. Building an engine
takes about half a second (read the tables, precompute each railway's TR-4 tables), so it is
done once per edition per process, under a lock, and a few editions are kept (tests and a
node serving two databases switch between them). With no reference data loaded the shipped
data answers: the very objects :func:`~temir.network.routing.loader.shipped_router` and
:func:`~temir.network.view.shipped_view` give.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from temir.kit import versions
from temir.network import repository as repo
from temir.network.routing import Router
from temir.network.routing.loader import shipped_router
from temir.network.view import EngineNetworkView, shipped_view

EDITIONS_KEPT = 4


@dataclass(frozen=True)
class Network:
    """The engine of one edition and the note rules' view over that same engine."""

    router: Router
    view: EngineNetworkView


_lock = threading.Lock()
_built: OrderedDict[str, Network] = OrderedDict()
versions.watch("ref_editions")
_digests: versions.Remembered[str] = versions.Remembered()


def digest(session: Session) -> str:
    """The load digests of ``session``'s database, read at most once a second (and at once
    after this process loaded an edition): see :mod:`temir.kit.versions`."""
    where = str(session.get_bind().engine.url)
    return _digests.get(where, lambda: repo.network_digest(session))


def fresh_digest(url: str) -> str | None:
    """:func:`digest` of the database at ``url`` while it need not be read again, else None."""
    return _digests.fresh(url)


@functools.cache
def shipped_network() -> Network:
    """The network of the data shipped in ``temir/data`` (no database needed)."""
    return Network(shipped_router(), shipped_view())


def network_for(session: Session | None, *, cached: bool = False) -> Network:
    """The network of the edition loaded in ``session``'s database, else the shipped one.

    ``cached``: a short-lived CLI process takes a built engine from the on-disk cache.
    """
    key = digest(session) if session is not None else ""
    if session is None or not key:
        return _cached_shipped_network() if cached else shipped_network()
    with _lock:
        found = _built.get(key)
        if found is not None:
            _built.move_to_end(key)
            return found
        if cached:
            from temir.network import engine_cache

            router = engine_cache.load_or_build(
                "db:" + key, lambda: Router(repo.network_data(session))
            )
        else:
            router = Router(repo.network_data(session))
        found = Network(router, EngineNetworkView(router))
        _built[key] = found
        while len(_built) > EDITIONS_KEPT:
            _built.popitem(last=False)
        return found


def router_for(session: Session | None) -> Router:
    """The route engine of ``session``'s edition (quotes, routes, the batch)."""
    return network_for(session).router


def view_for(session: Session | None) -> EngineNetworkView:
    """The note rules' view of ``session``'s edition, over the same engine as :func:`router_for`."""
    return network_for(session).view


def runtime_network() -> Network:
    """For a command that has no session: the runtime database's edition.

    The shipped network when that database is missing, not migrated, or not yet at this
    Temir's schema — a command that only reads must still answer.
    """
    from temir.kit import runtime

    try:
        with runtime.uow().read() as session:
            return network_for(session, cached=True)
    except (SQLAlchemyError, runtime.DatabaseNotReady):
        return _cached_shipped_network()


@functools.cache
def _cached_shipped_network() -> Network:
    """The shipped network for a CLI process: the engine loaded from the on-disk cache
    (:mod:`temir.network.engine_cache`) instead of being built on every run."""
    from temir.network import engine_cache
    from temir.network.routing.loader import shipped

    router = engine_cache.load_or_build(engine_cache.shipped_key(), lambda: Router(shipped()))
    return Network(router, EngineNetworkView(router))
