"""Freight statistics: shipment facts, volumes by direction/commodity/month, plans, demo data."""
