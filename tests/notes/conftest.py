"""Fixtures for the note tests: the example note and the network view over the route engine."""

from __future__ import annotations

import pytest

from temir.network.view import EngineNetworkView, shipped_view
from temir.notes.example import example_note
from temir.notes.model import Note


@pytest.fixture(scope="session")
def network() -> EngineNetworkView:
    return shipped_view()


@pytest.fixture
def note() -> Note:
    return example_note()
