"""Freight plans between two countries (entered, imported or seeded from the forecast), plan
against actual, and the forecast of next year's volumes. Built on :mod:`temir.stats.volumes`.
"""
