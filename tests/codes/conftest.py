"""Helpers for the temir.codes tests: read reference data independently of the code under test."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

SHARED = Path(__file__).parents[2].parent / "shared"
"""The project's shared research data, which CI checks out beside the clone."""


def read_shared_csv(relative: str) -> list[dict[str, str]]:
    path = SHARED / relative
    if not path.is_file():
        pytest.fail(
            f"reference data {path} is missing: these tests need the project's shared data "
            "checked out beside the repository (../shared)",
            pytrace=False,
        )
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_packaged_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("temir").joinpath("data", "cargo", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def shared_csv() -> Callable[[str], list[dict[str, str]]]:
    """Read a CSV of ../shared/<relative>; fails (never skips) when the data is missing."""
    return read_shared_csv


@pytest.fixture
def packaged_csv() -> Callable[[str], list[dict[str, str]]]:
    """Read a CSV shipped in temir/data/cargo/."""
    return read_packaged_csv
