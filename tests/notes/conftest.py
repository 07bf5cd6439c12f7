"""Fixtures for the note tests: the example note and the network view over the route engine."""

from __future__ import annotations

import pytest

from temir.notes.example import example_note
from temir.notes.model import Note
from temir.notes.network import EngineNetworkView, shipped_network


@pytest.fixture(scope="session")
def network() -> EngineNetworkView:
    return shipped_network()


@pytest.fixture
def note() -> Note:
    return example_note()
