"""How ``temir serve --workers N`` listens: every worker process on a socket of its own.

Why: uvicorn's worker processes share one listening socket, and the worker that wakes first
takes every connection waiting at that moment (uvloop accepts until none is left). A
connection then stays with the worker that took it for as long as it is kept alive — a
reverse proxy's pool of upstream connections, an API client's session. Measured with 50
connections opened at once to 2 workers: 29/21, 42/8 and 50/0. One worker then does most or
all of the work while the other idles; in the 50-client quote benchmark the p50 swung between
7 and 18 ms from one run to the next, and the p99 with it.

With ``SO_REUSEPORT`` (Linux, the BSDs) each worker binds a socket of its own to the same
address and port, and the kernel spreads new connections over the listening sockets by a
hash of the connection's addresses, whichever worker is busy. uvicorn's supervisor still
starts the workers, checks their health, restarts one that died and stops them all on a
signal; only what each worker listens on changes (:class:`OwnSocket`).

The parent process checks the address is free (a clear "address already in use" before any
worker starts, and never a second ``temir serve`` silently sharing the port) and then holds
a bound, not listening, ``SO_REUSEPORT`` socket for as long as it runs: the port stays
reserved across worker restarts (an ephemeral port 0 is resolved once), and a socket that
does not listen is given no connections.
"""

from __future__ import annotations

import logging
import socket
import sys
from dataclasses import dataclass
from typing import Any, cast

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

logger = logging.getLogger("uvicorn.error")

STARTUP_FAILURE = 3
"""uvicorn's exit code for a worker that cannot start: its supervisor then stops, instead of
restarting a worker that would fail the same way."""


def shares_port() -> bool:
    """Whether this system lets several sockets listen on one port (``SO_REUSEPORT``)."""
    return hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn's bind_socket


def bind_own(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` that may share the port with the other workers'.

    Runs in each worker when it starts (see :class:`OwnSocket`); a bind that fails ends the
    worker with :data:`STARTUP_FAILURE`, so the supervisor stops rather than retry forever.
    """
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        logger.error("cannot listen on %s:%d: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
    sock.set_inheritable(True)
    return sock


@dataclass(frozen=True)
class OwnSocket:
    """Stands in uvicorn's list of sockets for one that each worker binds for itself.

    uvicorn hands the same list to every worker process it starts, pickled; unpickling this
    in the worker calls :func:`bind_own`, so each worker — a restarted one too — gets a
    socket of its own (the parent never listens).
    """

    host: str
    port: int

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return (bind_own, (self.host, self.port))


def reserve(host: str, port: int) -> socket.socket:
    """The parent's hold on the port: fails now if anything else holds it (see module doc).

    Raises OSError (address in use, not an address of this machine) for the caller to report.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:  # no SO_REUSEPORT:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # refused if anyone,
        probe.bind((host, port))  # even a port-sharing server, is bound here
        port = probe.getsockname()[1]
    held = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind((host, port))
    except OSError:
        held.close()
        raise
    return held


def run_workers(config: uvicorn.Config) -> None:
    """Serve ``config`` (its ``workers`` > 1) with a socket per worker, until a signal ends it."""
    try:
        held = reserve(config.host, config.port)
    except OSError as error:
        logger.error("cannot listen on %s:%d: %s", config.host, config.port, error)
        sys.exit(STARTUP_FAILURE)
    with held:
        port = held.getsockname()[1]
        scheme = "https" if config.is_ssl else "http"
        logger.info(
            "Uvicorn running on %s://%s:%d, %d workers, each on its own socket "
            "(Press CTRL+C to quit)",
            scheme,
            config.host,
            port,
            config.workers,
        )
        sockets = cast(list[socket.socket], [OwnSocket(config.host, port)])
        Multiprocess(config, sockets=sockets).run()
