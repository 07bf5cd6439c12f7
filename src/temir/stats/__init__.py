"""Freight statistics, in three sub-packages with the same file names inside:

* :mod:`temir.stats.volumes`: shipment facts, volumes by direction/commodity/month, demo facts,
  imports, the dashboard;
* :mod:`temir.stats.plans`: plans, plan against actual, the forecast;
* :mod:`temir.stats.protocol`: the signed yearly protocol.

Shared by all three: :mod:`temir.stats.data` (the packaged statistics data) and
:mod:`temir.stats.tables` (every table of statistics). ``api``, ``web`` and ``cli`` here only
assemble the sub-packages' routes and commands.
"""
