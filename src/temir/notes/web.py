"""Pages of the note store: list, detail with the lifecycle steps, the note form with inline
checks (new note, edit a draft, correct after acceptance), print, verify.

Why the form posts to a validate endpoint as the user types: a consignor fills forty boxes and
must see *where* the note is wrong while the box is still in front of them; the same rules as
``temir notes validate`` and the API answer, and each issue is shown next to its box.

The form edits the consignor's boxes (1–25); the carriers' boxes are filled by the lifecycle
steps, offered on the detail page only to whoever the lifecycle rules let take them. Field
names are paths into the note (``wagons.0.number``), so the form maps onto the note model
without a second schema; empty rows are dropped. Parts of a stored note the form has no field
for (a wagon's type, the charging sections, …) travel through the form as hidden ``=path``
fields holding JSON, so editing a draft never silently drops what the form does not show.

Repeated boxes have add/remove buttons. With JavaScript, htmx fetches one new row and removes a
row in place; without it, the same buttons submit the form, which comes back with one row more
or less and nothing saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts import service as accounts_service
from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import Conflict, NotFound, PermissionDenied, TemirError, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import key_service, lifecycle, service
from temir.notes.example import example_note
from temir.notes.lifecycle import NoteAction, NoteFacts, NoteStatus
from temir.notes.model import BOXES, Note
from temir.notes.network import shipped_network
from temir.notes.rules import Issue, Stage, validate_document
from temir.web import nav
from temir.web.templating import render

router = APIRouter(include_in_schema=False)
nav.add("/notes", N_("Notes"), 30)

MAX_UPLOAD: Final = 20_000_000
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
          (Field("consignor_declarations", N_("Declarations"), "textarea", "l"),)),
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


def _row_command(values: dict[str, str]) -> dict[str, str] | None:
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


def _issues_by_group(issues: tuple[Issue, ...], lang: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {g.key: [] for g in GROUPS}
    grouped["general"] = []
    for issue in issues:
        grouped.setdefault(_group_of_box(issue.box), []).append(issue.to_dict(lang))
    return grouped


def _check(
    form: Mapping[str, str], lang: str, stage: Stage = Stage.SUBMISSION
) -> tuple[bool, dict[str, list[dict[str, Any]]]]:
    document = form_to_document(form)
    result = validate_document(json.dumps(document), shipped_network(), stage)
    return result.valid, _issues_by_group(result.issues, lang)


def _login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status_code=303)


async def _form_values(request: Request) -> dict[str, str]:
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
    summary: service.NoteSummary | None = None


def _new_mode() -> Mode:
    return Mode("new", "/notes/new", N_("New consignment note"), N_("Save draft"))


def _edit_mode(summary: service.NoteSummary) -> Mode:
    return Mode(
        "edit", f"/notes/{summary.id}/edit", N_("Edit the draft"),
        N_("Save as a new version"), summary=summary,
    )  # fmt: skip


def _correct_mode(summary: service.NoteSummary) -> Mode:
    return Mode(
        "correct", f"/notes/{summary.id}/correct", N_("Correct the note"),
        N_("Save the correction"), Stage.ACCEPTANCE, summary,
    )  # fmt: skip


def _form_page(
    request: Request,
    mode: Mode,
    values: Mapping[str, str],
    issues: dict[str, list[dict[str, Any]]] | None = None,
    error: str | None = None,
    status_code: int = 200,
    reason: str = "",
) -> HTMLResponse:
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
    )


# --- who may take which step -------------------------------------------------------------------
STEPS: Final = (
    NoteAction.EDIT, NoteAction.SUBMIT, NoteAction.ACCEPT, NoteAction.REFUSE,
    NoteAction.HANDOVER, NoteAction.ARRIVE, NoteAction.DELIVER, NoteAction.SIGN,
    NoteAction.CORRECT,
)  # fmt: skip


def _consignor_org_id(session: Session, summary: service.NoteSummary) -> int | None:
    if not summary.consignor:
        return None
    try:
        return accounts_service.get_organisation(session, summary.consignor).id
    except NotFound:
        return None


def allowed_steps(
    session: Session, actor: Actor, detail: service.NoteDetail
) -> frozenset[NoteAction]:
    """The steps to offer: those the lifecycle rules authorise for this actor from this status
    (:func:`lifecycle.authorise`, :func:`lifecycle.next_status`), less those the store would
    refuse outright (no carrier to hand over to, goods not at the destination yet, a version
    the organisation has already signed). The store decides again when the step is taken."""
    s = detail.summary
    who = service.party_of(session, actor)
    facts = NoteFacts(s.status, _consignor_org_id(session, s), s.carriers, s.custody)
    allowed: set[NoteAction] = set()
    for step in STEPS:
        try:
            lifecycle.authorise(step, who, facts)
            lifecycle.next_status(step, facts.status)
        except (PermissionDenied, Conflict):
            continue
        allowed.add(step)
    if facts.next_carrier() is None:
        allowed.discard(NoteAction.HANDOVER)
    if facts.custody != facts.destination_carrier:
        allowed.discard(NoteAction.ARRIVE)
    slug = _organisation_slug(session, actor)
    if slug is None or any(sig.get("organisation") == slug for sig in detail.signatures):
        allowed.discard(NoteAction.SIGN)
    return frozenset(allowed)


def _organisation_slug(session: Session, actor: Actor) -> str | None:
    if actor.organisation_id is None:
        return None
    for org in accounts_service.list_organisations(session):
        if org.id == actor.organisation_id:
            return org.slug
    return None


# --- routes: order matters (fixed paths before /notes/{note_id}) -------------------------------
@router.get("/notes", response_class=HTMLResponse)
def notes_list(
    request: Request,
    status: str = "",
    station: str = "",
    cargo: str = "",
    wagon: str = "",
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return _login(request)
    filters = {"status": status, "station": station, "cargo": cargo, "wagon": wagon}
    error = None
    total, notes = 0, list[service.NoteSummary]()
    try:
        total, notes = service.list_notes(
            session,
            actor,
            status=status or None,
            station=station[:40] or None,
            cargo=cargo[:40] or None,
            wagon=wagon[:40] or None,
            limit=100,
        )
    except TemirError as exc:
        error = exc.message(request_language(request))
    return render(
        request,
        "notes_list.html",
        notes=notes,
        total=total,
        filters=filters,
        statuses=[s.value for s in NoteStatus],
        error=error,
    )


@router.get("/notes/new", response_class=HTMLResponse)
def note_form(
    request: Request, example: bool = False, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return _login(request)
    values = note_to_form(_draft_example()) if example else {}
    return _form_page(request, _new_mode(), values)


def _draft_example() -> Note:
    return lifecycle.draft_of(example_note())


@router.post("/notes/validate", response_class=HTMLResponse)
async def note_validate(request: Request, stage: str = "submission") -> HTMLResponse:
    """The form as typed → the issues of each box (htmx swaps them in next to their boxes)."""
    values = await _form_values(request)
    chosen = Stage.ACCEPTANCE if stage == Stage.ACCEPTANCE.value else Stage.SUBMISSION
    valid, issues = _check(values, request_language(request), chosen)
    return render(request, "notes_issues.html", groups=GROUPS, issues=issues, valid=valid)


@router.post("/notes/form/row", response_class=HTMLResponse)
async def note_form_row(request: Request, group: str = "") -> HTMLResponse:
    """One empty row of a repeated box, numbered after the rows the form already has."""
    values = await _form_values(request)
    chosen = GROUP_BY_KEY.get(group or values.get("add_row", ""))
    if chosen is None or not chosen.rows:
        return HTMLResponse("", status_code=422)
    index = next_row(values, chosen)
    if index >= 10 * MAX_ROWS:
        return HTMLResponse("", status_code=422)
    return render(request, "notes_row.html", group=chosen, i=index, values={}, kept=[])


@router.post("/notes/new", response_class=HTMLResponse)
async def note_create(request: Request, actor: Actor | None = Depends(optional_actor)) -> Response:
    if actor is None:
        return _login(request)
    values = await _form_values(request)
    lang = request_language(request)
    changed = _row_command(values)
    if changed is not None:
        return _form_page(request, _new_mode(), changed, _check(changed, lang)[1])
    _valid, issues = _check(values, lang)
    try:
        with uow_of(request)() as session:
            detail = service.create_note(session, actor, form_to_document(values))
    except TemirError as exc:
        return _form_page(request, _new_mode(), values, issues, exc.message(lang), exc.status)
    return RedirectResponse(f"/notes/{detail.summary.id}", status_code=303)


@router.get("/notes/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    return render(request, "notes_verify.html", verdict=None, error=None, qr="")


@router.post("/notes/verify", response_class=HTMLResponse)
async def verify_submit(
    request: Request,
    file: UploadFile | None = File(None),
    qr: str = Form(""),
) -> HTMLResponse:
    """Public: check an uploaded note file or PDF, or a pasted QR line, with this node's keys."""
    from temir.notes.signing import KeyRing
    from temir.notes.verify import Kind, read_evidence, verify_evidence

    lang = request_language(request)
    qr = qr.strip()[:4000]
    try:
        data = await file.read(MAX_UPLOAD + 1) if file is not None and file.filename else b""
        if len(data) > MAX_UPLOAD:
            raise ValidationFailed(N_("The file is too large."), code="notes.too_large")
        raw = data or qr.encode("utf-8")
        if not raw:
            raise ValidationFailed(
                N_("Upload a note file or PDF, or paste the QR line."), code="notes.verify_empty"
            )
        evidence = read_evidence(raw)
        with uow_of(request).read() as session:
            ring = KeyRing(_public_entries(session))
            against = None
            if evidence.kind == Kind.QR and evidence.qr is not None:
                against = _stored_signed(session, evidence.qr.note_id)
        verdict = verify_evidence(evidence, ring, against).to_dict(lang)
    except TemirError as exc:
        return render(
            request, "notes_verify.html", status_code=422, verdict=None,
            error=exc.message(lang), qr=qr,
        )  # fmt: skip
    return render(request, "notes_verify.html", verdict=verdict, error=None, qr=qr)


def _public_entries(session: Session) -> list[Any]:
    from temir.notes.signing import PublicKeyEntry

    return [
        PublicKeyEntry(
            key_id=k.key_id, algorithm=k.algorithm, public_key=k.public_key, owner=k.organisation
        )
        for k in key_service.list_keys(session)
    ]


def _stored_signed(session: Session, note_id: str) -> Any:
    """The stored note a QR line names, read on the verifier's behalf: only the verdict is
    shown (validity, version numbers, signers), never the note's content."""
    from temir.notes.signing import SignedNote

    try:
        data = service.export(session, Actor.system("notes-verify-page"), note_id[:64])
    except NotFound:
        return None
    return SignedNote.model_validate(data)


# --- one note: detail and its steps ------------------------------------------------------------
def _missing(request: Request, note_id: str, exc: TemirError | None = None) -> HTMLResponse:
    if exc is None or isinstance(exc, NotFound):
        return render(request, "notes_missing.html", status_code=404, note_id=note_id[:64])
    return render(
        request, "notes_missing.html", status_code=exc.status, note_id=note_id[:64],
        error=exc.message(request_language(request)),
    )  # fmt: skip


def _detail_page(
    request: Request,
    session: Session,
    actor: Actor,
    note_id: str,
    failed: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lang = request_language(request)
    try:
        detail = service.get_note(session, actor, note_id)
        history = service.history(session, actor, note_id)
        verdict = service.verify(session, actor, note_id, lang)
    except TemirError as exc:
        return _missing(request, note_id, exc)
    note = Note.model_validate(detail.document)
    return render(
        request,
        "notes_detail.html",
        status_code=status_code,
        detail=detail,
        s=detail.summary,
        n=note,
        boxes=BOXES,
        history=history,
        verdict=verdict,
        synthetic=_synthetic(note),
        sheets=_sheets(),
        steps={str(a) for a in allowed_steps(session, actor, detail)},
        failed=failed or {},
        next_carrier=NoteFacts(
            detail.summary.status, None, detail.summary.carriers, detail.summary.custody
        ).next_carrier(),
    )


@router.get("/notes/{note_id}", response_class=HTMLResponse)
def note_detail(
    request: Request,
    note_id: str,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return _login(request)
    return _detail_page(request, session, actor, note_id)


def _synthetic(note: Note) -> bool:
    from temir.notes.pdf import is_synthetic

    return is_synthetic(note)


def _sheets() -> list[tuple[int, str, str]]:
    from temir.notes.pdf import SHEETS

    return [(s.number, s.name_ru, s.name_en) for s in SHEETS.values()]


def _editable(
    request: Request, actor: Actor, note_id: str, step: NoteAction
) -> service.NoteDetail | HTMLResponse:
    """The note, if ``actor`` may take ``step`` on it now; else the page that says why (404 for
    a note it may not see, 403 for the wrong party, 409 for the wrong status)."""
    with uow_of(request).read() as session:
        try:
            detail = service.get_note(session, actor, note_id)
        except TemirError as exc:
            return _missing(request, note_id, exc)
        if step in allowed_steps(session, actor, detail):
            return detail
        s = detail.summary
        facts = NoteFacts(s.status, _consignor_org_id(session, s), s.carriers, s.custody)
        try:
            lifecycle.authorise(step, service.party_of(session, actor), facts)
            lifecycle.next_status(step, facts.status)
        except TemirError as exc:
            return _missing(request, note_id, exc)
        return detail


@router.get("/notes/{note_id}/edit", response_class=HTMLResponse)
def note_edit_form(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return _login(request)
    detail = _editable(request, actor, note_id, NoteAction.EDIT)
    if isinstance(detail, HTMLResponse):
        return detail
    values = note_to_form(Note.model_validate(detail.document))
    return _form_page(request, _edit_mode(detail.summary), values)


@router.post("/notes/{note_id}/edit", response_class=HTMLResponse)
async def note_edit(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """Save the edited draft as a new version (the store refuses anyone but the consignor)."""
    if actor is None:
        return _login(request)
    detail = _editable(request, actor, note_id, NoteAction.EDIT)
    if isinstance(detail, HTMLResponse):
        return detail
    mode = _edit_mode(detail.summary)
    values = await _form_values(request)
    lang = request_language(request)
    changed = _row_command(values)
    if changed is not None:
        return _form_page(request, mode, changed, _check(changed, lang)[1])
    _valid, issues = _check(values, lang)
    try:
        with uow_of(request)() as session:
            service.edit_note(session, actor, detail.summary.id, form_to_document(values))
    except (NotFound, PermissionDenied) as exc:
        return _missing(request, note_id, exc)
    except TemirError as exc:
        return _form_page(request, mode, values, issues, exc.message(lang), exc.status)
    return RedirectResponse(f"/notes/{detail.summary.id}", status_code=303)


@router.get("/notes/{note_id}/correct", response_class=HTMLResponse)
def note_correct_form(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return _login(request)
    detail = _editable(request, actor, note_id, NoteAction.CORRECT)
    if isinstance(detail, HTMLResponse):
        return detail
    values = note_to_form(Note.model_validate(detail.document))
    return _form_page(request, _correct_mode(detail.summary), values)


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


@router.post("/notes/{note_id}/correct", response_class=HTMLResponse)
async def note_correct(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """A correction after acceptance: the boxes that differ, as a new version, with a reason."""
    if actor is None:
        return _login(request)
    detail = _editable(request, actor, note_id, NoteAction.CORRECT)
    if isinstance(detail, HTMLResponse):
        return detail
    mode = _correct_mode(detail.summary)
    values = await _form_values(request)
    reason = values.get("reason", "")[:1000]
    lang = request_language(request)
    changed = _row_command(values)
    if changed is not None:
        issues = _check(changed, lang, Stage.ACCEPTANCE)[1]
        return _form_page(request, mode, changed, issues, reason=reason)
    changes = corrections(detail.document, form_to_document(values))
    try:
        with uow_of(request)() as session:
            service.correct(session, actor, detail.summary.id, changes=changes, reason=reason)
    except (NotFound, PermissionDenied) as exc:
        return _missing(request, note_id, exc)
    except TemirError as exc:
        issues = _check(values, lang, Stage.ACCEPTANCE)[1]
        return _form_page(
            request, mode, values, issues, exc.message(lang), exc.status, reason=reason
        )
    return RedirectResponse(f"/notes/{detail.summary.id}", status_code=303)


def _moment(text: str, name: str) -> datetime | None:
    """A date or date-and-time from the step forms, read as UTC (the form says so); None if
    left empty, so the store uses the moment of the step."""
    value = text.strip()[:40]
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            N_("Enter a date as YYYY-MM-DD, or a date and time."),
            code="note.bad_date",
            field=name,
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _take_step(
    request: Request, actor: Actor, note_id: str, step: str, form: dict[str, str]
) -> Response:
    """Run one lifecycle step; back to the detail page, or the page with the step's error."""
    try:
        with uow_of(request)() as session:
            if step == "submit":
                service.submit(session, actor, note_id, shipped_network())
            elif step == "accept":
                service.accept(
                    session, actor, note_id,
                    consignment_number=_required(form, "consignment_number", 40),
                    contract_date=_moment(form.get("contract_date", ""), "contract_date"),
                    network=shipped_network(),
                )  # fmt: skip
            elif step == "refuse":
                service.refuse(session, actor, note_id, reason=form.get("reason", "")[:1000])
            elif step == "handover":
                service.handover(
                    session, actor, note_id,
                    station_esr=form.get("station_esr", "").strip()[:20] or None,
                    at=_moment(form.get("at", ""), "at"),
                )  # fmt: skip
            elif step == "arrive":
                service.arrive(session, actor, note_id, at=_moment(form.get("at", ""), "at"))
            elif step == "deliver":
                service.deliver(
                    session, actor, note_id,
                    received_by=form.get("received_by", "")[:1000],
                    at=_moment(form.get("at", ""), "at"),
                )  # fmt: skip
            elif step == "sign":
                secret: str = request.app.state.settings.secret_key
                service.sign(session, actor, note_id, secret=secret)
    except NotFound as exc:
        return _missing(request, note_id, exc)
    except TemirError as exc:
        failed = {
            "step": step,
            "message": exc.message(request_language(request)),
            "status": exc.status,
            "values": form,
        }
        with uow_of(request).read() as session:
            return _detail_page(request, session, actor, note_id, failed, exc.status)
    return RedirectResponse(f"/notes/{note_id}#history", status_code=303)


def _required(form: Mapping[str, str], name: str, size: int) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise ValidationFailed(N_("Fill in this box."), code="note.box_required", field=name)
    if len(value) > size:
        raise ValidationFailed(
            N_("At most {max} characters."), code="note.too_long", field=name, max=size
        )
    return value


STEP_PATHS: Final = ("submit", "accept", "refuse", "handover", "arrive", "deliver", "sign")


@router.post("/notes/{note_id}/{step}", response_class=HTMLResponse)
async def note_step(
    request: Request, note_id: str, step: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """One POST form per lifecycle step, each with the CSRF token (checked by the middleware)."""
    if actor is None:
        return _login(request)
    if step not in STEP_PATHS:
        return _missing(request, note_id)
    return _take_step(request, actor, note_id, step, await _form_values(request))


@router.get("/notes/{note_id}/pdf")
def note_pdf(
    request: Request,
    note_id: str,
    sheets: str = "all",
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    from temir.notes.pdf import parse_sheets, render_pdf
    from temir.notes.signing import SignedNote

    if actor is None:
        return _login(request)
    try:
        chosen = parse_sheets(sheets[:40])
        signed = SignedNote.model_validate(service.export(session, actor, note_id))
    except TemirError as exc:
        return _missing(request, note_id, exc)
    current = signed.versions[-1]
    pdf = render_pdf(current.note, current.signatures, sheets=chosen, signed=signed)
    name = f"smgs-{current.note.consignment_number or note_id[:8]}-v{current.note.version}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/notes/{note_id}/{step}")
def note_step_page(note_id: str, step: str) -> Response:
    """A step's address opened directly (a reload, a language switch after a failed step):
    back to the note."""
    if step not in STEP_PATHS:
        return RedirectResponse("/notes", status_code=303)
    return RedirectResponse(f"/notes/{note_id[:64]}", status_code=303)
