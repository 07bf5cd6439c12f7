"""Pages of the note store: list, detail, the note form with inline checks, print, verify.

Why the form posts to a validate endpoint as the user types: a consignor fills forty boxes and
must see *where* the note is wrong while the box is still in front of them; the same rules as
``temir notes validate`` and the API answer, and each issue is shown next to its box.

The form edits the consignor's boxes (1–25); the carriers' boxes are filled by the lifecycle
steps. Field names are paths into the note (``wagons.0.number``), so the form maps onto the
note model without a second schema; empty rows are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import NotFound, TemirError, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import service
from temir.notes.example import example_note
from temir.notes.lifecycle import NoteStatus
from temir.notes.model import BOXES, Note
from temir.notes.network import shipped_network
from temir.notes.rules import Issue, Stage, validate_document
from temir.web import nav
from temir.web.templating import render

router = APIRouter(include_in_schema=False)
nav.add("/notes", N_("Notes"), 30)

MAX_UPLOAD: Final = 20_000_000


# --- the form: boxes and their fields ----------------------------------------------------------
@dataclass(frozen=True)
class Field:
    name: str  # path in the note, "{i}" for the row of a repeated box
    label: str  # English msgid
    kind: str = "text"  # text, textarea, number, select:provider, list
    width: str = "m"  # s, m, l


@dataclass(frozen=True)
class Group:
    """A block of the form: one box or boxes printed together, with its rows if repeated."""

    key: str
    boxes: tuple[int, ...]
    title: str
    fields: tuple[Field, ...]
    rows: int = 0  # 0: not repeated


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
    Group("1", (1,), N_("Consignor"), _party("consignor")),
    Group("2", (2,), N_("Departure station"), _station("departure")),
    Group("3", (3,), N_("Consignor's declarations"),
          (Field("consignor_declarations", N_("Declarations"), "textarea", "l"),)),
    Group("4", (4,), N_("Consignee"), _party("consignee")),
    Group("5", (5,), N_("Destination station"), _station("destination")),
    Group("6", (6,), N_("Border crossing stations"), _station("border_stations.{i}"), rows=4),
    Group("7", (7, 8, 9, 10, 11, 12, 13, 14), N_("Wagons"), (
        Field("wagons.{i}.number", N_("Wagon number"), width="s"),
        Field("wagons.{i}.railway", N_("Railway"), width="s"),
        Field("wagons.{i}.provided_by", N_("Provided by"), "select:provider", "s"),
        Field("wagons.{i}.load_capacity_kg", N_("Load capacity, kg"), "number", "s"),
        Field("wagons.{i}.axles", N_("Axles"), "number", "s"),
        Field("wagons.{i}.tare_kg", N_("Tare, kg"), "number", "s"),
    ), rows=3),
    Group("15", (15, 16, 17, 18), N_("Goods"), (
        Field("goods.{i}.description", N_("Description of goods"), width="l"),
        Field("goods.{i}.gng", N_("GNG code"), width="s"),
        Field("goods.{i}.etsng", N_("ETSNG code"), width="s"),
        Field("goods.{i}.wagon_number", N_("Wagon"), width="s"),
        Field("goods.{i}.packing", N_("Packing"), width="s"),
        Field("goods.{i}.packages", N_("Packages"), "number", "s"),
        Field("goods.{i}.mass_kg", N_("Mass, kg"), "number", "s"),
    ), rows=3),
    Group("18", (18,), N_("Total mass"),
          (Field("goods_total_mass_kg", N_("Total mass, kg"), "number", "s"),)),
    Group("19", (19,), N_("Seals"), (
        Field("seals.{i}.count", N_("Count"), "number", "s"),
        Field("seals.{i}.marks", N_("Marks (comma separated)"), "list"),
        Field("seals.{i}.wagon_number", N_("Wagon"), width="s"),
    ), rows=3),
    Group("20", (20, 21), N_("Loading and mass"), (
        Field("loaded_by", N_("Loaded by"), "select:provider", "s"),
        Field("mass_method", N_("Method of determining the mass")),
    )),
    Group("22", (22,), N_("Carriers"), (
        Field("carriers.{i}.carrier", N_("Carrier"), width="s"),
        Field("carriers.{i}.from_station.esr", N_("From (ESR)"), width="s"),
        Field("carriers.{i}.from_station.name", N_("From station")),
        Field("carriers.{i}.to_station.esr", N_("To (ESR)"), width="s"),
        Field("carriers.{i}.to_station.name", N_("To station")),
    ), rows=4),
    Group("23", (23,), N_("Payment of carriage charges"), (
        Field("payments.{i}.carrier", N_("Carrier"), width="s"),
        Field("payments.{i}.payer", N_("Payer"), width="l"),
        Field("payments.{i}.payer_code", N_("Payer code"), width="s"),
    ), rows=3),
    Group("25", (24, 25), N_("Documents and information"), (
        Field("info_not_for_carrier", N_("Information not for the carrier"), "textarea", "l"),
    )),
)  # fmt: skip
NUMBERS: Final = frozenset(f.name for g in GROUPS for f in g.fields if f.kind == "number")
LISTS: Final = frozenset(f.name for g in GROUPS for f in g.fields if f.kind == "list")
_INDEX = re.compile(r"\.(\d+)(?=\.|$)")


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


def form_to_document(form: Mapping[str, str]) -> dict[str, Any]:
    """Form fields (``wagons.0.number``) → a note document for the rules and the store."""
    document: dict[str, Any] = {}
    for name, raw in form.items():
        if name in ("csrf_token", "note_id") or len(name) > 80:
            continue
        generic = _INDEX.sub(".{i}", name)
        value: Any = raw.strip() if isinstance(raw, str) else raw
        if generic in NUMBERS and isinstance(value, str) and value.isdigit():
            value = int(value)
        elif generic in LISTS and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        _set(document, name.split("."), value)
    pruned = _pruned(document)
    pruned["language"] = "ru"
    return pruned if isinstance(pruned, dict) else {}


def note_to_form(note: Note) -> dict[str, str]:
    """The form's values for an existing note (the example, or a draft being edited)."""
    data = note.model_dump(mode="json", exclude_none=True)
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(value, list):
            if _INDEX.sub(".{i}", path) in LISTS:
                out[path] = ", ".join(str(v) for v in value)
            else:
                for i, v in enumerate(value):
                    walk(v, f"{path}.{i}")
        else:
            out[path] = "" if value is None else str(value)

    walk(data, "")
    return out


def _issues_by_group(issues: tuple[Issue, ...], lang: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {g.key: [] for g in GROUPS}
    grouped["general"] = []
    for issue in issues:
        grouped.setdefault(_group_of_box(issue.box), []).append(issue.to_dict(lang))
    return grouped


def _check(form: Mapping[str, str], lang: str) -> tuple[bool, dict[str, list[dict[str, Any]]]]:
    document = form_to_document(form)
    result = validate_document(json.dumps(document), shipped_network(), Stage.SUBMISSION)
    return result.valid, _issues_by_group(result.issues, lang)


def _login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status_code=303)


def _form_page(
    request: Request,
    values: Mapping[str, str],
    issues: dict[str, list[dict[str, Any]]] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "notes_form.html",
        status_code=status_code,
        groups=GROUPS,
        boxes=BOXES,
        values=values,
        issues=issues or {},
        error=error,
    )


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
    return _form_page(request, values)


def _draft_example() -> Note:
    from temir.notes.lifecycle import draft_of

    return draft_of(example_note())


@router.post("/notes/validate", response_class=HTMLResponse)
async def note_validate(request: Request) -> HTMLResponse:
    """The form as typed → the issues of each box (htmx swaps them in next to their boxes)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    valid, issues = _check(values, request_language(request))
    return render(request, "notes_issues.html", groups=GROUPS, issues=issues, valid=valid)


@router.post("/notes/new", response_class=HTMLResponse)
async def note_create(request: Request, actor: Actor | None = Depends(optional_actor)) -> Response:
    if actor is None:
        return _login(request)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    lang = request_language(request)
    _valid, issues = _check(values, lang)
    try:
        with uow_of(request)() as session:
            detail = service.create_note(session, actor, form_to_document(values))
    except TemirError as exc:
        return _form_page(request, values, issues, exc.message(lang), status_code=422)
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
        for k in service.list_keys(session)
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


@router.get("/notes/{note_id}", response_class=HTMLResponse)
def note_detail(
    request: Request,
    note_id: str,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return _login(request)
    lang = request_language(request)
    try:
        detail = service.get_note(session, actor, note_id)
        history = service.history(session, actor, note_id)
        verdict = service.verify(session, actor, note_id, lang)
    except NotFound:
        return render(request, "notes_missing.html", status_code=404, note_id=note_id)
    note = Note.model_validate(detail.document)
    return render(
        request,
        "notes_detail.html",
        detail=detail,
        s=detail.summary,
        n=note,
        boxes=BOXES,
        history=history,
        verdict=verdict,
        synthetic=_synthetic(note),
        sheets=_sheets(),
    )


def _synthetic(note: Note) -> bool:
    from temir.notes.pdf import is_synthetic

    return is_synthetic(note)


def _sheets() -> list[tuple[int, str, str]]:
    from temir.notes.pdf import SHEETS

    return [(s.number, s.name_ru, s.name_en) for s in SHEETS.values()]


@router.post("/notes/{note_id}/submit")
def note_submit(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return _login(request)
    try:
        with uow_of(request)() as session:
            service.submit(session, actor, note_id, shipped_network())
    except TemirError as exc:
        lang = request_language(request)
        return render(request, "notes_missing.html", status_code=exc.status, note_id=note_id,
                      error=exc.message(lang))  # fmt: skip
    return RedirectResponse(f"/notes/{note_id}", status_code=303)


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
    except NotFound:
        return render(request, "notes_missing.html", status_code=404, note_id=note_id)
    except TemirError as exc:
        return render(request, "notes_missing.html", status_code=exc.status, note_id=note_id,
                      error=exc.message(request_language(request)))  # fmt: skip
    current = signed.versions[-1]
    pdf = render_pdf(current.note, current.signatures, sheets=chosen, signed=signed)
    name = f"smgs-{current.note.consignment_number or note_id[:8]}-v{current.note.version}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
