"""Each benchmark owns one section of ``bench/RESULTS.md``; re-running it replaces only that.

Why markers: several benchmarks write to one file, and a run of one must not wipe what the
others recorded (the old scripts rewrote the whole file). A section lives between
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``; a section not yet in the file is appended.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def replace_section(document: str, name: str, body: str) -> str:
    """``document`` with section ``name`` set to ``body`` (appended when it is not there yet)."""
    start, end = _markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _m: block, document, count=1)
    return document.rstrip("\n") + "\n\n" + block + "\n"


def record(name: str, body: str, path: Path = RESULTS) -> None:
    """Write ``body`` as section ``name`` of RESULTS.md, leaving every other section as it was."""
    document = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(replace_section(document, name, body), encoding="utf-8")
