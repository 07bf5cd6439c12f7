"""Pure TR-4 tariff-distance and interstate routing engine (no database, no framework)."""

from temir.network.routing.engine import Router, RoutingError
from temir.network.routing.model import BorderPoint, Leg, Method, NetworkData, Route

__all__ = ["BorderPoint", "Leg", "Method", "NetworkData", "Route", "Router", "RoutingError"]
