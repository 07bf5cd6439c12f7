"""Which cargo codes are dangerous goods, and as which UN entries: the designation table.

Why a table and not a rule of thumb: the SMGS note must carry the UN number, class and packing
group of dangerous goods (box 15), and which UN entry a cargo code is belongs to the dangerous
goods list (ADR/RID Table A, SMGS Annex 2), not to a guess from a word in a description.
``temir/data/cargo/dangerous_goods.csv`` holds one row per (code, UN entry, packing group) that a
public copy of ADR Table A prints; the correspondence of a GNG/ETSNG name to a UN entry is a
mapping *by name*, written out per row (``basis``) and in its ``SOURCES.md``. Read once, lazily,
like the GNG list.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

from temir.kit.errors import ValidationFailed
from temir.kit.messages import define

KINDS = ("etsng", "etsng_position", "gng", "gng_heading")

#: UN Model Regulations 2.0.1.3: only substances of the other classes have packing groups.
_CLASSES_WITHOUT_GROUPS = ("1", "2", "5.2", "6.2", "7")


@dataclass(frozen=True, slots=True)
class Designation:
    """One UN entry a cargo code may be declared as: number, class, packing group, where from."""

    un_number: str
    hazard_class: str
    packing_group: str | None
    entry: str  # e.g. "UN 1203 MOTOR SPIRIT or GASOLINE or PETROL", as the source prints it
    source: str  # the edition and copy of the dangerous goods list

    @property
    def edition(self) -> str:
        """The list and edition alone ("ADR 2017 Table A"), for messages."""
        return self.source.split(";")[0].split(" (")[0]

    def admits(self, hazard_class: str, packing_group: str | None) -> bool:
        """Whether a declared class and packing group fit this entry.

        Classes 1 and 2 are printed in Table A without division (1, 2); a note may give the
        division of the label (1.1, 2.1), so that is accepted for them, and only for them.
        """
        klass = hazard_class == self.hazard_class or (
            self.hazard_class in ("1", "2") and hazard_class.startswith(f"{self.hazard_class}.")
        )
        return klass and (packing_group or None) == self.packing_group

    def to_dict(self) -> dict[str, Any]:
        return {
            "un_number": self.un_number,
            "hazard_class": self.hazard_class,
            "packing_group": self.packing_group,
            "entry": self.entry,
            "source": self.source,
        }


Table = dict[tuple[str, str], tuple[Designation, ...]]
_NO_CODE = define("codes", "Give an ETSNG or a GNG code to look up.")


def no_code_error() -> ValidationFailed:
    """A look-up with neither code: the caller's input error (``dangerous.no_code``)."""
    return ValidationFailed(_NO_CODE, code="dangerous.no_code", field="gng")


def needs_packing_group(hazard_class: str) -> bool:
    """Classes 1, 2, 5.2, 6.2 and 7 have no packing groups; every other class has one."""
    return not any(
        hazard_class == c or hazard_class.startswith(f"{c}.") for c in _CLASSES_WITHOUT_GROUPS
    )


def read_table(text: str) -> Table:
    """Parse the designation CSV: rows grouped by (kind, code), in file order."""
    out: dict[tuple[str, str], list[Designation]] = {}
    for r in csv.DictReader(io.StringIO(text)):
        if r["kind"] not in KINDS:
            continue
        d = Designation(
            un_number=r["un_number"].strip(),
            hazard_class=r["class"].strip(),
            packing_group=r["packing_group"].strip() or None,
            entry=r["entry"].strip(),
            source=r["source"].strip(),
        )
        out.setdefault((r["kind"], r["code"].strip()), []).append(d)
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def _table() -> Table:
    source = resources.files("temir").joinpath("data", "cargo", "dangerous_goods.csv")
    return read_table(source.read_text(encoding="utf-8"))


def designations(
    etsng: str | None, gng: str | None, table: Table | None = None
) -> tuple[Designation, ...]:
    """The UN entries the goods may be declared as; empty when no source designates them.

    The most specific match wins: the ETSNG code, its tariff position (first 3 digits), the GNG
    code, its HS heading (first 4 digits). ``table`` replaces the shipped one (a loaded edition,
    or a test).
    """
    rows = _table() if table is None else table
    key = matching_key(etsng, gng, rows)
    return rows[key] if key is not None else ()


def matching_key(etsng: str | None, gng: str | None, rows: Table) -> tuple[str, str] | None:
    """The (kind, code) row key the goods match, most specific first; None when none does."""
    keys: list[tuple[str, str]] = []
    if etsng:
        keys += [("etsng", etsng), ("etsng_position", etsng[:3])]
    if gng:
        keys += [("gng", gng), ("gng_heading", gng[:4])]
    return next((k for k in keys if k in rows), None)


def matched_code(etsng: str | None, gng: str | None, table: Table | None = None) -> str | None:
    """Which of the line's codes designates it (the ETSNG or the GNG code), for messages."""
    key = matching_key(etsng, gng, _table() if table is None else table)
    if key is None:
        return None
    return etsng if key[0].startswith("etsng") else gng


def dangerous_designation(
    etsng: str | None, gng: str | None, table: Table | None = None
) -> str | None:
    """Where the goods are designated dangerous ("ADR 2017 Table A: UN 1203"), or None."""
    found = designations(etsng, gng, table)
    if not found:
        return None
    return f"{found[0].edition}: {allowed_un_numbers(found)}"


def allowed_un_numbers(found: tuple[Designation, ...]) -> str:
    """The UN numbers of the entries, once each, in table order ("UN 1978, UN 1965")."""
    return ", ".join(f"UN {n}" for n in dict.fromkeys(d.un_number for d in found))
