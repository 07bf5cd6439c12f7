"""The note form: the consignor's boxes (1–25) as form fields, form ↔ note document, rows of
repeated boxes, and the inline checks shown next to each box as the user types.

Why the form posts to a validate endpoint as the user types: a consignor fills forty boxes and
must see *where* the note is wrong while the box is still in front of them; the same rules as
``temir notes validate`` and the API answer, and each issue is shown next to its box.

Field names are paths into the note (``wagons.0.number``), so the form maps onto the note model
without a second schema; empty rows are dropped. Parts of a stored note the form has no field
for (a wagon's type, the charging sections, …) travel through the form as hidden ``=path``
fields holding JSON, so editing a draft never silently drops what the form does not show.

Repeated boxes have add/remove buttons. With JavaScript, htmx fetches one new row and removes a
row in place; without it, the same buttons submit the form, which comes back with one row more
or less and nothing saved. The pages that use the form (new, edit, correct) are
:mod:`temir.notes.web`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from temir.kit.api import request_language, uow_of
from temir.kit.i18n import N_
from temir.network.provider import view_for
from temir.notes.boxes import Issue, Stage, validate_document
from temir.notes.model import BOXES, Note
from temir.notes.network import NetworkView
from temir.notes.store.model import NoteSummary
from temir.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_ROWS: Final = 100


# --- the form: boxes and their fields ----------------------------------------------------------
@dataclass(frozen=True)
class Field:
    name: str  # path in the note, "{i}" for the row of a repeated box
    label: str  # English msgid
    kind: str = "text"  # text, textarea, number, date, select:provider, list
    width: str = "m"  # s, m, l


@dataclass(frozen=True)
class Group:
    """A block of the form: one box or boxes printed together, with its rows if repeated."""

    key: str
    boxes: tuple[int, ...]
    title: str
    fields: tuple[Field, ...]
    rows: int = 0  # 0: not repeated; else the rows an empty form shows
    add_label: str = N_("Add a row")

    @property
    def prefix(self) -> str:
        """The list this group's rows fill (``wagons``), empty for a group that is not repeated."""
        return self.fields[0].name.split(".{i}")[0] if self.rows else ""


def _station(prefix: str) -> tuple[Field, ...]:
    return (
        Field(f"{prefix}.esr", N_("ESR code"), width="s"),
        Field(f"{prefix}.name", N_("Station")),
        Field(f"{prefix}.railway", N_("Railway"), width="s"),
    )


def _party(prefix: str) -> tuple[Field, ...]:
    return (
        Field(f"{prefix}.name", N_("Name"), width="l"),
        Field(f"{prefix}.address", N_("Address"), width="l"),
        Field(f"{prefix}.country", N_("Country (ISO)"), width="s"),
        Field(f"{prefix}.client_code", N_("Client code"), width="s"),
    )


GROUPS: Final = (
    Group("1", (1,), N_("Consignor"), (
        *_party("consignor"), Field("consignor.signatory", N_("Signatory")),
    )),
    Group("2", (2,), N_("Departure station"), _station("departure")),
    Group("3", (3,), N_("Consignor's declarations"),
          (Field("consignor_declarations", N_("Declarations"), "textarea", "l"),
           Field("declared_value.amount", N_("Declared value of the goods"), width="s"),
           Field("declared_value.currency", N_("Currency (ISO 4217)"), width="s"))),
    Group("4", (4,), N_("Consignee"), _party("consignee")),
    Group("5", (5,), N_("Destination station"), _station("destination")),
    Group("6", (6,), N_("Border crossing stations"), _station("border_stations.{i}"), rows=1,
          add_label=N_("Add a border station")),
    Group("7", (7, 8, 9, 10, 11, 12, 13, 14), N_("Wagons"), (
        Field("wagons.{i}.number", N_("Wagon number"), width="s"),
        Field("wagons.{i}.railway", N_("Railway"), width="s"),
        Field("wagons.{i}.owner", N_("Owner")),
        Field("wagons.{i}.provided_by", N_("Provided by"), "select:provider", "s"),
        Field("wagons.{i}.load_capacity_kg", N_("Load capacity, kg"), "number", "s"),
        Field("wagons.{i}.axles", N_("Axles"), "number", "s"),
        Field("wagons.{i}.tare_kg", N_("Tare, kg"), "number", "s"),
    ), rows=1, add_label=N_("Add a wagon")),
    Group("15", (15, 16, 17, 18), N_("Goods"), (
        Field("goods.{i}.description", N_("Description of goods"), width="l"),
        Field("goods.{i}.gng", N_("GNG code"), width="s"),
        Field("goods.{i}.etsng", N_("ETSNG code"), width="s"),
        Field("goods.{i}.wagon_number", N_("Wagon"), width="s"),
        Field("goods.{i}.container.number", N_("Container (ISO 6346)"), width="s"),
        Field("goods.{i}.container.size_type", N_("Size/type"), width="s"),
        Field("goods.{i}.un_number", N_("UN number (dangerous goods)"), width="s"),
        Field("goods.{i}.hazard_class", N_("Class"), width="s"),
        Field("goods.{i}.packing_group", N_("Packing group"), width="s"),
        Field("goods.{i}.packing", N_("Packing"), width="s"),
        Field("goods.{i}.packages", N_("Packages"), "number", "s"),
        Field("goods.{i}.mass_kg", N_("Mass, kg"), "number", "s"),
    ), rows=1, add_label=N_("Add a goods line")),
    Group("18", (18,), N_("Total mass"),
          (Field("goods_total_mass_kg", N_("Total mass, kg"), "number", "s"),)),
    Group("19", (19,), N_("Seals"), (
        Field("seals.{i}.count", N_("Count"), "number", "s"),
        Field("seals.{i}.marks", N_("Marks (comma separated)"), "list"),
        Field("seals.{i}.applied_by", N_("Applied by"), "select:provider", "s"),
        Field("seals.{i}.wagon_number", N_("Wagon"), width="s"),
    ), rows=1, add_label=N_("Add a seal")),
    Group("20", (20, 21), N_("Loading and mass"), (
        Field("loaded_by", N_("Loaded by"), "select:provider", "s"),
        Field("mass_method", N_("Method of determining the mass")),
    )),
    Group("22", (22,), N_("Carriers"), (
        Field("carriers.{i}.carrier", N_("Carrier"), width="s"),
        Field("carriers.{i}.name", N_("Carrier's name")),
        Field("carriers.{i}.from_station.esr", N_("From (ESR)"), width="s"),
        Field("carriers.{i}.from_station.name", N_("From station")),
        Field("carriers.{i}.to_station.esr", N_("To (ESR)"), width="s"),
        Field("carriers.{i}.to_station.name", N_("To station")),
    ), rows=1, add_label=N_("Add a carrier")),
    Group("23", (23,), N_("Payment of carriage charges"), (
        Field("payments.{i}.carrier", N_("Carrier"), width="s"),
        Field("payments.{i}.payer", N_("Payer")),
        Field("payments.{i}.payer_code", N_("Payer code"), width="s"),
    ), rows=1, add_label=N_("Add a payer")),
    Group("24", (24,), N_("Documents attached by the consignor"), (
        Field("documents.{i}.name", N_("Document"), width="l"),
        Field("documents.{i}.number", N_("Number"), width="s"),
        Field("documents.{i}.issued_on", N_("Issued on"), "date", "s"),
    ), rows=1, add_label=N_("Add a document")),
    Group("25", (25,), N_("Information not for the carrier"), (
        Field("info_not_for_carrier", N_("Information not for the carrier"), "textarea", "l"),
    )),
)  # fmt: skip
GROUP_BY_KEY: Final = {g.key: g for g in GROUPS}
FIELDS: Final = frozenset(f.name for g in GROUPS for f in g.fields)
NUMBERS: Final = frozenset(f.name for g in GROUPS for f in g.fields if f.kind == "number")
LISTS: Final = frozenset(f.name for g in GROUPS for f in g.fields if f.kind == "list")
DATES: Final = frozenset(f.name for g in GROUPS for f in g.fields if f.kind == "date")
KEEP: Final = "="
"""Prefix of a hidden field carrying a part of the note the form has no field for (JSON)."""
NOT_KEPT: Final = frozenset(
    {"form", "note_id", "version", "previous_digest", "contract_date", "arrival_date",
     "consignment_number", "handovers", "border_passages", "arrival_notice_at", "delivery"}
)  # fmt: skip
"""Top-level fields the store or the lifecycle steps own: never carried through the form."""
CONTROL: Final = frozenset({"csrf_token", "note_id", "add_row", "remove_row", "reason"})
_INDEX = re.compile(r"\.(\d+)(?=\.|$)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _group_of_box(box: int | None) -> str:
    for group in GROUPS:
        if box is not None and box in group.boxes:
            return group.key
    return "general"


def _set(target: dict[str, Any], path: list[str], value: Any) -> None:
    key = path[0]
    if len(path) == 1:
        target[key] = value
        return
    child = target.setdefault(key, {})
    if isinstance(child, dict):
        _set(child, path[1:], value)


def _pruned(value: Any) -> Any:
    """Rows of repeated boxes become lists; rows and parts left empty disappear."""
    if isinstance(value, dict):
        items = {k: _pruned(v) for k, v in value.items()}
        items = {k: v for k, v in items.items() if v not in ("", None, {}, [])}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items
    return value


def _typed(generic: str, value: str) -> Any:
    if generic in NUMBERS and value.isdigit():
        return int(value)
    if generic in LISTS:
        return [v.strip() for v in value.split(",") if v.strip()]
    if generic in DATES and _DATE.match(value):
        return f"{value}T00:00:00+00:00"  # a document's date: the day, as midnight UTC
    return value


def form_to_document(form: Mapping[str, str]) -> dict[str, Any]:
    """Form fields (``wagons.0.number``, hidden ``=wagons.0.owner``) → a note document."""
    document: dict[str, Any] = {}
    for name, raw in form.items():
        if name in CONTROL or len(name) > 120 or not isinstance(raw, str):
            continue
        if name.startswith(KEEP):
            path = name[len(KEEP) :]
            if not path or path.split(".")[0] in NOT_KEPT:
                continue
            try:
                value: Any = json.loads(raw)
            except ValueError:
                value = raw
        else:
            path, value = name, _typed(_INDEX.sub(".{i}", name), raw.strip())
        _set(document, path.split("."), value)
    pruned = _pruned(document)
    if not isinstance(pruned, dict):  # pragma: no cover - a dict of str keys stays a dict
        return {}
    pruned.setdefault("language", "ru")
    return pruned


def note_to_form(note: Note) -> dict[str, str]:
    """The form's values for an existing note (the example, a draft being edited): visible
    fields by path, everything else the consignor may keep as hidden ``=path`` JSON."""
    data = note.model_dump(mode="json", exclude_none=True)
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        generic = _INDEX.sub(".{i}", path)
        if isinstance(value, dict) and generic not in FIELDS:
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(value, list) and generic not in LISTS:
            for i, v in enumerate(value):
                walk(v, f"{path}.{i}")
        elif generic in LISTS:
            out[path] = ", ".join(str(v) for v in value)
        elif generic in DATES:
            out[path] = str(value)[:10]
        elif generic in FIELDS:
            out[path] = "" if value is None else str(value)
        else:
            out[KEEP + path] = json.dumps(value, ensure_ascii=False)

    for key, value in data.items():
        if key not in NOT_KEPT:
            walk(value, key)
    return out


@dataclass
class Layout:
    """Which rows each repeated group shows and which hidden ``=path`` fields go where."""

    rows: dict[str, list[int]] = field(default_factory=dict)
    kept: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)
    top: list[tuple[str, str]] = field(default_factory=list)


def _row_of(name: str) -> tuple[str, int] | None:
    path = name[len(KEEP) :] if name.startswith(KEEP) else name
    for group in GROUPS:
        if group.rows and path.startswith(group.prefix + "."):
            index = path[len(group.prefix) + 1 :].split(".")[0]
            if index.isdigit() and int(index) < 10 * MAX_ROWS:
                return group.key, int(index)
    return None


def layout(values: Mapping[str, str]) -> Layout:
    found: dict[str, set[int]] = {g.key: set() for g in GROUPS if g.rows}
    out = Layout()
    for name, value in values.items():
        where = _row_of(name)
        if where is not None:
            found[where[0]].add(where[1])
            if name.startswith(KEEP):
                out.kept.setdefault(where, []).append((name, value))
        elif name.startswith(KEEP):
            out.top.append((name, value))
    for group in GROUPS:
        if group.rows:
            rows = sorted(found[group.key])[:MAX_ROWS]
            out.rows[group.key] = rows or list(range(group.rows))
    return out


def next_row(values: Mapping[str, str], group: Group) -> int:
    """The index of a new row: one past the highest in the form (gaps left by removed rows
    are fine: rows are ordered by index and renumbered when the note is stored)."""
    rows = [where[1] for name in values if (where := _row_of(name)) and where[0] == group.key]
    return max(rows, default=-1) + 1


def row_command(values: dict[str, str]) -> dict[str, str] | None:
    """The no-JavaScript add/remove row buttons: the form with one row more or less, or None
    when the form was submitted to be saved."""
    add, remove = values.get("add_row", ""), values.get("remove_row", "")
    if add in GROUP_BY_KEY and GROUP_BY_KEY[add].rows:
        group = GROUP_BY_KEY[add]
        index = next_row(values, group)
        if index < 10 * MAX_ROWS:
            for f in group.fields:
                values[f.name.replace("{i}", str(index))] = ""
        return values
    if remove:
        where = _row_of(remove + ".")
        if where is None:
            return values
        group = GROUP_BY_KEY[where[0]]
        prefix = f"{group.prefix}.{where[1]}."
        return {
            k: v for k, v in values.items()
            if not (k.startswith(prefix) or k.startswith(KEEP + prefix))
        }  # fmt: skip
    return None


def _group_of_issue(issue: Issue) -> str:
    """The group showing the issue: its box's, or for a field without a box (the declared
    value) the group that has the field, so the issue still stands next to what is wrong."""
    if issue.box is not None:
        return _group_of_box(issue.box)
    top = (issue.path or "").split(".")[0].split("[")[0]
    for group in GROUPS:
        if top and any(f.name.split(".")[0] == top for f in group.fields):
            return group.key
    return "general"


def _issues_by_group(issues: tuple[Issue, ...], lang: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {g.key: [] for g in GROUPS}
    grouped["general"] = []
    for issue in issues:
        grouped.setdefault(_group_of_issue(issue), []).append(issue.to_dict(lang))
    return grouped


def network_of(request: Request) -> NetworkView:
    """The network of the app database's edition: the engine its quotes use as well."""
    with uow_of(request).read() as session:
        return view_for(session)


def check_form(
    form: Mapping[str, str],
    lang: str,
    stage: Stage = Stage.SUBMISSION,
    *,
    network: NetworkView,
) -> tuple[bool, dict[str, list[dict[str, Any]]]]:
    """The form as typed checked by the note rules at ``stage``: valid?, and the issues by box."""
    document = form_to_document(form)
    result = validate_document(json.dumps(document), network, stage)
    return result.valid, _issues_by_group(result.issues, lang)


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (uploads are not part of the note form)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@dataclass(frozen=True)
class Mode:
    """What the form is for: a new note, a draft being edited, a correction after acceptance."""

    kind: str  # new, edit, correct
    action: str
    title: str
    save: str
    stage: Stage = Stage.SUBMISSION
    summary: NoteSummary | None = None


def new_mode() -> Mode:
    return Mode("new", "/notes/new", N_("New consignment note"), N_("Save draft"))


def edit_mode(summary: NoteSummary) -> Mode:
    return Mode(
        "edit", f"/notes/{summary.id}/edit", N_("Edit the draft"),
        N_("Save as a new version"), summary=summary,
    )  # fmt: skip


def correct_mode(summary: NoteSummary) -> Mode:
    return Mode(
        "correct", f"/notes/{summary.id}/correct", N_("Correct the note"),
        N_("Save the correction"), Stage.ACCEPTANCE, summary,
    )  # fmt: skip


def form_page(
    request: Request,
    mode: Mode,
    values: Mapping[str, str],
    issues: dict[str, list[dict[str, Any]]] | None = None,
    error: str | None = None,
    status_code: int = 200,
    reason: str = "",
    route: Any = None,
) -> HTMLResponse:
    """The note form in ``mode`` with ``values``, each box's issues next to it (``route``: the
    quote's route a new note was started from, shown with its km per railway)."""
    return render(
        request,
        "notes_form.html",
        status_code=status_code,
        mode=mode,
        groups=GROUPS,
        boxes=BOXES,
        values=values,
        layout=layout(values),
        issues=issues or {},
        error=error,
        reason=reason,
        route=route,
    )


def corrections(current: Mapping[str, Any], edited: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level boxes a corrected form changes, as :func:`service.correct` takes them: a
    box emptied in the form goes back to the model's empty value."""
    empty = Note(language="ru").model_dump(mode="json")
    changes: dict[str, Any] = {}
    for name in set(current) | set(edited):
        if name in NOT_KEPT:
            continue
        new = edited.get(name, empty.get(name))
        if new != current.get(name, empty.get(name)):
            changes[name] = new
    return changes


# --- the form's own endpoints (htmx) ---------------------------------------------------------
@router.post("/notes/validate", response_class=HTMLResponse)
async def note_validate(request: Request, stage: str = "submission") -> HTMLResponse:
    """The form as typed → the issues of each box (htmx swaps them in next to their boxes)."""
    values = await form_values(request)
    chosen = Stage.ACCEPTANCE if stage == Stage.ACCEPTANCE.value else Stage.SUBMISSION
    valid, issues = check_form(
        values, request_language(request), chosen, network=network_of(request)
    )
    return render(request, "notes_issues.html", groups=GROUPS, issues=issues, valid=valid)


@router.post("/notes/form/row", response_class=HTMLResponse)
async def note_form_row(request: Request, group: str = "") -> HTMLResponse:
    """One empty row of a repeated box, numbered after the rows the form already has."""
    values = await form_values(request)
    chosen = GROUP_BY_KEY.get(group or values.get("add_row", ""))
    if chosen is None or not chosen.rows:
        return HTMLResponse("", status_code=422)
    index = next_row(values, chosen)
    if index >= 10 * MAX_ROWS:
        return HTMLResponse("", status_code=422)
    return render(request, "notes_row.html", group=chosen, i=index, values={}, kept=[])
