"""Check every package pinned in ``uv.lock`` against an advisory database, honestly.

Run: ``make audit`` (or ``uv run python -m tools.dependency_audit [--service pypi|osv]
[--advisories DIR] [--json]``).

1. The pins come from the lock file itself (``uv export --frozen``: every package of every
   dependency group, exact versions), not from whatever happens to be installed.
2. Online, ``pip-audit`` (a pinned version, run by ``uv tool run``) looks each pin up in the
   PyPI vulnerability data (``--service pypi``, the default) or in OSV (``--service osv``).
3. Offline (a closed network), ``--advisories DIR`` matches the pins against OSV advisories
   saved as JSON files: e.g. the ``PyPI/all.zip`` export of the OSV database
   (https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip), unpacked, carried in.

The verdict counts what was really checked. "No known vulnerabilities" is printed only when
every pinned package was looked up; a package the database did not answer for is listed as
*not checked*, and when no package could be checked the answer is that the advisory database
could not be reached. Exit status: 0 all checked and clean, 1 vulnerabilities found, 2 some or
all packages not checked (or pip-audit could not run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

PIP_AUDIT = "pip-audit==2.10.1"
ROOT = Path(__file__).resolve().parents[1]
UV = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
"""The uv that runs this (``uv run`` sets ``UV``), else the one on PATH, else where ``make
run`` installs it (``pip install --user``), as the Makefile looks for it."""
EXPORT = (
    *(UV, "export", "--frozen", "--format", "requirements-txt", "--all-groups"),
    *("--no-emit-project", "--no-hashes", "--no-header", "--no-annotate"),
)
AUDIT = (
    *(UV, "tool", "run", "--from", PIP_AUDIT, "pip-audit"),
    *("--no-deps", "--disable-pip", "--progress-spinner", "off"),
)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    fixed_in: tuple[str, ...] = ()


@dataclass
class Verdict:
    pins: int
    checked: set[str] = field(default_factory=set)
    not_checked: dict[str, str] = field(default_factory=dict)  # package -> why
    findings: list[Finding] = field(default_factory=list)
    source: str = ""

    @property
    def exit_code(self) -> int:
        if self.not_checked or len(self.checked) < self.pins:
            return 2
        return 1 if self.findings else 0

    def summary(self) -> str:
        if self.pins and not self.checked:
            why = next(iter(sorted(self.not_checked.values())), "")
            return (
                f"Could not reach the advisory database ({self.source}): none of the "
                f"{self.pins} locked packages was checked. This is NOT a clean result.\n"
                f"  first answer: {why}"
            )
        lines = []
        if self.findings:
            lines.append(f"{len(self.findings)} known vulnerabilities in the locked packages:")
            for f in self.findings:
                fixed = ", ".join(f.fixed_in) or "no fixed version listed"
                lines.append(f"  {f.package} {f.version}: {f.advisory} (fixed in: {fixed})")
        if self.not_checked:
            lines.append(
                f"{len(self.not_checked)} of {self.pins} locked packages were NOT checked "
                f"({self.source}):"
            )
            lines += [f"  {name}: {why}" for name, why in sorted(self.not_checked.items())]
        if not self.findings and not self.not_checked:
            lines.append(
                f"No known vulnerabilities in the {self.pins} locked packages ({self.source})."
            )
        elif not self.findings:
            lines.append(
                f"No known vulnerabilities in the {len(self.checked)} packages that were "
                "checked; the rest is unknown."
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "pins": self.pins,
            "checked": len(self.checked),
            "not_checked": self.not_checked,
            "findings": [f.__dict__ | {"fixed_in": list(f.fixed_in)} for f in self.findings],
            "exit_code": self.exit_code,
        }


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_requirements() -> str:
    """Every pinned package of the lock file, as a requirements file (no hashes needed)."""
    return subprocess.run(  # noqa: S603 - fixed arguments
        [*EXPORT],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def pins_of(requirements: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in requirements.splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


# --- online: pip-audit -----------------------------------------------------------------------


def read_pip_audit(report: dict[str, Any], pins: dict[str, str], source: str) -> Verdict:
    """Turn pip-audit's JSON report into a verdict that counts what was really looked up."""
    verdict = Verdict(pins=len(pins), source=source)
    seen: set[str] = set()
    for dep in report.get("dependencies", []):
        name = normalise(str(dep.get("name", "")))
        seen.add(name)
        if "skip_reason" in dep or "vulns" not in dep:
            verdict.not_checked[name] = str(dep.get("skip_reason") or "no answer")
            continue
        verdict.checked.add(name)
        for vuln in dep["vulns"]:
            verdict.findings.append(
                Finding(
                    name,
                    str(dep.get("version", pins.get(name, "?"))),
                    str(vuln.get("id")),
                    tuple(str(v) for v in vuln.get("fix_versions", [])),
                )
            )
    for name in pins.keys() - seen:
        verdict.not_checked[name] = "not in pip-audit's report"
    return verdict


def run_pip_audit(requirements: str, pins: dict[str, str], service: str) -> Verdict:
    source = f"pip-audit, {service} vulnerability service"
    with tempfile.TemporaryDirectory() as tmp:
        req, out = Path(tmp) / "requirements.txt", Path(tmp) / "report.json"
        req.write_text(requirements)
        done = subprocess.run(  # noqa: S603 - fixed arguments, service is one of two names
            [*AUDIT, "-r", str(req), "-s", service, "-f", "json", "-o", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists() or not out.read_text().strip():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            verdict = Verdict(pins=len(pins), source=source)
            verdict.not_checked = {name: f"pip-audit failed: {last[:200]}" for name in pins}
            return verdict
        return read_pip_audit(json.loads(out.read_text()), pins, source)


# --- offline: OSV advisories saved as files -------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def affects(affected: dict[str, Any], version: str) -> bool:
    """Whether one OSV ``affected`` entry covers ``version`` (listed, or inside a range)."""
    if version in affected.get("versions", []):
        return True
    mine = _version(version)
    if mine is None:
        return False
    for span in affected.get("ranges", []):
        if span.get("type") != "ECOSYSTEM":
            continue
        inside = False
        for event in span.get("events", []):
            if "introduced" in event:
                start = event["introduced"]
                low = Version("0") if start == "0" else _version(start)
                inside = low is not None and mine >= low
            elif "fixed" in event and inside:
                high = _version(event["fixed"])
                if high is not None and mine >= high:
                    inside = False
            elif "last_affected" in event and inside:
                last = _version(event["last_affected"])
                if last is not None and mine > last:
                    inside = False
        if inside:
            return True
    return False


def advisories_in(folder: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(folder.rglob("*.json")):
        try:
            advisory = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(advisory, dict) and advisory.get("affected"):
            yield advisory


def check_offline(
    pins: dict[str, str], advisories: Iterable[dict[str, Any]], where: str
) -> Verdict:
    verdict = Verdict(pins=len(pins), source=f"OSV advisories in {where}")
    count = 0
    for advisory in advisories:
        count += 1
        if advisory.get("withdrawn"):
            continue
        for affected in advisory["affected"]:
            package = affected.get("package", {})
            if package.get("ecosystem") != "PyPI":
                continue
            name = normalise(str(package.get("name", "")))
            if name in pins and affects(affected, pins[name]):
                fixed = tuple(
                    e["fixed"]
                    for r in affected.get("ranges", [])
                    for e in r["events"]
                    if "fixed" in e
                )
                verdict.findings.append(Finding(name, pins[name], str(advisory.get("id")), fixed))
    if count == 0:
        verdict.not_checked = {name: f"no OSV advisories found in {where}" for name in pins}
    else:
        verdict.checked = set(pins)
        verdict.source += f", {count} advisories"
    return verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", choices=["pypi", "osv"], default="pypi")
    parser.add_argument("--advisories", type=Path, help="folder of OSV JSON files (offline)")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    args = parser.parse_args(argv)
    requirements = locked_requirements()
    pins = pins_of(requirements)
    if args.advisories is not None:
        verdict = check_offline(pins, advisories_in(args.advisories), str(args.advisories))
    else:
        verdict = run_pip_audit(requirements, pins, args.service)
    print(json.dumps(verdict.to_dict(), indent=2) if args.json else verdict.summary())
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
