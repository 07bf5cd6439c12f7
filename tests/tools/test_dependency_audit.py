"""The dependency audit never calls a run clean that did not check every locked package."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tools import dependency_audit as audit

ROOT = Path(__file__).resolve().parents[2]
PINS = {"jinja2": "3.1.2", "fastapi": "0.120.0", "rich": "13.7.1"}


def test_the_pins_are_every_locked_package_at_its_locked_version() -> None:
    pins = audit.pins_of(audit.locked_requirements())
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {
        audit.normalise(p["name"]): p["version"]
        for p in lock["package"]
        if p["name"] != "temir" and "version" in p
    }
    assert pins.items() <= locked.items()
    assert {"fastapi", "sqlalchemy", "cryptography", "pytest"} <= pins.keys()
    assert len(pins) >= len(locked) - 5  # only platform-specific wheels may be left out


def test_a_report_that_skipped_every_package_is_not_clean() -> None:
    report = {
        "dependencies": [
            {"name": name, "skip_reason": f"Dependency not found on PyPI: {name}"} for name in PINS
        ]
    }
    verdict = audit.read_pip_audit(report, PINS, "pypi")
    assert verdict.exit_code == 2
    assert verdict.summary().startswith("Could not reach the advisory database")
    assert "No known vulnerabilities" not in verdict.summary()


def test_a_partly_skipped_report_names_what_was_not_checked() -> None:
    report = {
        "dependencies": [
            {"name": "Jinja2", "version": "3.1.2", "vulns": []},
            {"name": "fastapi", "skip_reason": "timed out"},
        ]
    }
    verdict = audit.read_pip_audit(report, PINS, "pypi")
    assert verdict.exit_code == 2
    assert verdict.not_checked == {"fastapi": "timed out", "rich": "not in pip-audit's report"}
    assert "2 of 3 locked packages were NOT checked" in verdict.summary()
    assert "the rest is unknown" in verdict.summary()


def test_clean_only_when_every_pin_was_looked_up() -> None:
    report = {"dependencies": [{"name": n, "version": v, "vulns": []} for n, v in PINS.items()]}
    verdict = audit.read_pip_audit(report, PINS, "pypi")
    assert verdict.exit_code == 0
    assert verdict.summary() == "No known vulnerabilities in the 3 locked packages (pypi)."


def test_a_vulnerability_fails_the_run() -> None:
    report = {
        "dependencies": [
            {"name": n, "version": v, "vulns": []} for n, v in PINS.items() if n != "jinja2"
        ]
        + [{"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "X-1", "fix_versions": ["9"]}]}]
    }
    verdict = audit.read_pip_audit(report, PINS, "pypi")
    assert verdict.exit_code == 1
    assert "jinja2 3.1.2: X-1 (fixed in: 9)" in verdict.summary()


def _advisory(folder: Path, name: str, affected: dict[str, object]) -> None:
    """An advisory in the OSV schema (a format fixture, not a real advisory)."""
    document = {
        "id": f"FIXTURE-{name}",
        "affected": [{"package": {"ecosystem": "PyPI", "name": name}, **affected}],
    }
    (folder / f"FIXTURE-{name}.json").write_text(json.dumps(document))


def test_offline_advisories_match_listed_versions_and_ranges(tmp_path: Path) -> None:
    _advisory(tmp_path, "Jinja2", {"versions": ["3.1.2"]})
    _advisory(
        tmp_path,
        "fastapi",
        {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.110.0"}]}]},
    )
    _advisory(
        tmp_path,
        "rich",
        {
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "13.0"}, {"last_affected": "13.9"}]}
            ]
        },
    )
    verdict = audit.check_offline(PINS, audit.advisories_in(tmp_path), str(tmp_path))
    assert verdict.exit_code == 1
    assert sorted((f.package, f.advisory) for f in verdict.findings) == [
        ("jinja2", "FIXTURE-Jinja2"),
        ("rich", "FIXTURE-rich"),
    ]
    assert "3 advisories" in verdict.source


def test_an_empty_advisory_folder_checks_nothing(tmp_path: Path) -> None:
    verdict = audit.check_offline(PINS, audit.advisories_in(tmp_path), str(tmp_path))
    assert verdict.exit_code == 2
    assert "No known vulnerabilities" not in verdict.summary()
