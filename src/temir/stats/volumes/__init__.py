"""Shipment facts and the volumes they add up to: the fact model and direction rules, synthetic
demo facts, the import of historical statistics, volume reports, the dashboard and its exports.
"""
