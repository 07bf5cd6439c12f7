"""Routes between stations: the use cases over the engine, and their CLI, API and map drawing.

The engine itself is :mod:`temir.network.routing` (pure); which engine a session sees is
:mod:`temir.network.provider`'s. :mod:`temir.tariff` prices the routes found here.
"""
