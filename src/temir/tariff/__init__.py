"""Delivery time, rate tables, quotes and route comparison (on top of the routing engine)."""
