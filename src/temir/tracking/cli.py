"""``temir track``, ``temir events import`` and ``temir handover offer|accept|dispute|show``.

Writes are attributed to ``--as USERNAME`` (whose railway then reports and decides), or to
``system:cli:<os user>`` acting as an administrator (who must name the reporter in each line).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, err_console, language, user_errors
from temir.kit.errors import TemirError, ValidationFailed
from temir.kit.i18n import N_, translate
from temir.tracking import acts, bulk, rules, timeline
from temir.tracking.model import HandoverAct
from temir.tracking.timeline import Tracking, local_time

events_app = typer.Typer(no_args_is_help=True, help="Tracking events: import.")
handover_app = typer.Typer(no_args_is_help=True, help="Handover acts at borders.")

CANNOT_READ = N_("Cannot read {name}.")
BAD_PAIR = N_("Write {option} as UNIT:VALUE, e.g. {example}.")
BAD_DISCREPANCY_TEXT = N_("Write a discrepancy as KIND:UNIT[:EXPECTED[:FOUND]], e.g. {example}.")
UNVERIFIED = N_("delivery-time norms UNVERIFIED")
STATUS = {
    "on_time": N_("on time"),
    "late": N_("late"),
    "expected_late": N_("expected late"),
    "unknown": N_("unknown"),
}


def _(msgid: str, **params: Any) -> str:  # the gettext name: its texts are extracted
    return translate(msgid, language(), **params)


def track(
    query: str = typer.Argument(..., help="Wagon number, container number, note id or box 29."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Where a wagon, container or note is, who has it, when it will arrive."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            found = timeline.track(session, actor, query)
    emit(found.to_dict(language()), as_json, lambda _data: _render(found))


def _render(t: Tracking) -> None:
    lang = language()
    if t.note is not None:
        n = t.note
        console.print(
            f"{_('consignment note')} [bold]{n.number or n.id}[/] ({n.status}) "
            f"{escape(t.name(n.departure_esr or '', lang))} → "
            f"{escape(t.name(n.destination_esr or '', lang))}, {' → '.join(n.carriers)}"
        )
    for unit in t.units:
        e = unit.estimate
        console.print(
            f"[bold]{unit.unit}[/] ({unit.unit_kind}) — {_('custody')}: "
            f"[bold]{unit.custody or '—'}[/]"
        )
        table = Table()
        for column in (_("time (local)"), _("event"), _("station"), "km", _("flags")):
            table.add_column(column, overflow="fold")
        for entry in unit.entries:
            ev = entry.event
            zone = t.zone(ev.station_esr)
            table.add_row(
                local_time(ev.at, zone).strftime("%d.%m.%Y %H:%M %z"),
                str(ev.kind) + (f" ({ev.hold})" if ev.hold else ""),
                f"{ev.station_esr} {escape(t.name(ev.station_esr, lang))}",
                "" if entry.km is None else str(entry.km),
                "; ".join(f.message.text(lang) for f in entry.flags),
            )
        console.print(table)
        eta = (
            f"{_('remaining')} {e.remaining_km} km; ETA {_('by the norms')} "
            f"{_short(e.by_norms)}, {_('by progress')} {_short(e.by_progress)}"
        )
        console.print(eta + (f" [yellow]({_(UNVERIFIED)})[/]" if e.unverified_norms else ""))
        late = f" +{e.late_by_hours} h" if e.late_by_hours is not None else ""
        console.print(f"{_('deadline')} {_short(e.deadline)}: {_(STATUS[e.status])}{late}")
        for loss in e.losses if e.status in ("late", "expected_late") else ():
            console.print(
                f"  {_('time lost')}: {loss.from_esr} → {loss.to_esr} ({loss.railway}), "
                f"{loss.km} km, {loss.hours} h / {_('norm')} {loss.norm_hours} h"
            )


def _time(text: str | None) -> datetime | None:
    """An ``--at`` value: ISO 8601 with its UTC offset (a paper act's time)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            rules.BAD_TIME, code="event.time", field="at", value=text[:40]
        ) from None
    if value.tzinfo is None:
        raise ValidationFailed(
            rules.NAIVE_TIME, code="event.time_offset", field="at", value=text[:40]
        )
    return value


def _short(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%d.%m.%Y %H:%M UTC")


def _lines(path: Path, progress: Callable[[int], None]) -> Iterator[bytes]:
    done = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            done += len(raw)
            if number % 2000 == 0:
                progress(done)
            yield raw[3:] if number == 1 and raw.startswith(codecs.BOM_UTF8) else raw
    progress(done)


@events_app.command("import")
def import_events(
    file: Path = typer.Argument(..., help="NDJSON (one event a line) or CSV with a header."),
    fmt: str | None = typer.Option(None, "--format", help="ndjson or csv (default: by name)."),
    batch: int = typer.Option(bulk.DEFAULT_BATCH, "--batch", help="Lines per transaction."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record events in batches; a batch with a rejected line is not written at all."""
    lang = language()
    with user_errors(as_json):
        actor = cli_actor(as_user)
        if not file.is_file():
            raise TemirError(CANNOT_READ, code="tracking.read", field="file", name=file.name)
        kind = bulk.detect_format(file.name, fmt)
        with Progress(
            TextColumn("events"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[recorded]}"), TimeElapsedColumn(),
            console=err_console, transient=True, disable=as_json,
        ) as bar:  # fmt: skip
            task = bar.add_task("events", total=file.stat().st_size, recorded=0)
            lines = _lines(file, lambda n: bar.update(task, completed=n))
            items = bulk.csv_records(lines) if kind == "csv" else bulk.ndjson_records(lines)
            report = bulk.import_records(
                runtime.uow(), actor, items, batch=batch,
                on_batch=lambda r: bar.update(task, recorded=r.recorded),
            )  # fmt: skip
    data = report.to_dict(lang)

    def render(_data: Any) -> None:
        console.print(
            _(
                "{read} lines read: {recorded} recorded, {duplicates} already there, "
                "{refused} batches refused.",
                read=report.read, recorded=report.recorded, duplicates=report.duplicates,
                refused=report.batches_refused,
            )
        )  # fmt: skip
        for rejected in report.rejected[:50]:
            for problem in rejected.problems:
                where = escape(f" [{problem.field}]" if problem.field else "")
                text = escape(problem.message(lang))
                err_console.print(f"  {_('line')} {rejected.line}{where}: {text}")

    emit(data, as_json, render)
    if report.batches_refused:
        raise typer.Exit(1)


def _act_out(found: list[HandoverAct], as_json: bool) -> None:
    def render(_data: Any) -> None:
        for act in found:
            o = act.offer
            line = _(
                "Act {act}: {from_railway} → {to_railway} at {station}: {status}",
                act=act.act_id, from_railway=o.from_railway, to_railway=o.to_railway,
                station=o.station_esr, status=act.status,
            )  # fmt: skip
            paper = f" ({_('paper act')} {o.paper_reference})" if o.paper_reference else ""
            console.print(escape(line + paper))
            for u in o.units:
                seals = ", ".join(u.seals) or "—"
                mass = "—" if u.mass_kg is None else f"{u.mass_kg:,} kg"
                console.print(f"  {u.number} ({u.kind}): {_('seals')} {escape(seals)}; {mass}")
            if act.decision is not None:
                for d in act.decision.discrepancies:
                    console.print(
                        f"  [red]{d.kind}[/] {d.unit}: {d.expected or ''} → {d.found or ''}"
                    )
                if act.decision.commercial_act:
                    console.print(f"  {_('commercial act')} {act.decision.commercial_act}")

    emit({"acts": [a.to_dict() for a in found]}, as_json, render)


@handover_app.command("offer")
def offer(
    note: str = typer.Argument(..., help="Note id (UUID)."),
    station: str | None = typer.Option(None, "--station", help="Border code (default: box 22)."),
    unit: list[str] | None = typer.Option(None, "--unit", help="Only these wagons/containers."),
    at: str | None = typer.Option(None, "--at", help="ISO time with offset (paper act)."),
    paper: str | None = typer.Option(None, "--paper", help="Reference of a paper act."),
    act_id: str | None = typer.Option(None, "--act-id", help="The act's id (idempotency)."),
    seal: list[str] | None = typer.Option(
        None, "--seal", help="UNIT:SEAL as found at the border (default: box 19); repeatable."
    ),
    mass: list[str] | None = typer.Option(
        None, "--mass-kg", help="UNIT:KG as found at the border (default: box 18); repeatable."
    ),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Offer the note's units in your custody to the next carrier."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        seals: dict[str, list[str]] = {}
        for u, value in _pairs(seal or [], "--seal", "95120341:КЗХ 0341-1"):
            seals.setdefault(u, []).append(value)
        masses = {u: _kg(v) for u, v in _pairs(mass or [], "--mass-kg", "95120341:68000")}
        with runtime.uow()() as session:
            act = acts.offer(session, actor, note, station_esr=station, units=unit, at=_time(at),
                             paper_reference=paper, act_id=act_id, seals=seals or None,
                             masses=masses or None,
                             secret=runtime.settings().secret_key)  # fmt: skip
    _act_out([act], as_json)


@handover_app.command("accept")
def accept(
    act_id: str = typer.Argument(..., help="Act id."),
    at: str | None = typer.Option(None, "--at", help="ISO time with offset (paper act)."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Accept a handover act offered to your railway: custody moves to it."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            act = acts.accept(session, actor, act_id, at=_time(at),
                              secret=runtime.settings().secret_key)  # fmt: skip
    _act_out([act], as_json)


def _pairs(texts: list[str], option: str, example: str) -> list[tuple[str, str]]:
    """``UNIT:VALUE`` options as (unit, value), the unit as tracking writes it."""
    out: list[tuple[str, str]] = []
    for text in texts:
        unit, sep, value = text.partition(":")
        if not sep or not unit.strip() or not value.strip():
            raise TemirError(BAD_PAIR, code="handover.option_text", field=option.lstrip("-"),
                             option=option, example=example)  # fmt: skip
        out.append((unit.strip().upper(), value.strip()))
    return out


def _kg(text: str) -> int:
    if not text.isdigit():
        raise TemirError(BAD_PAIR, code="handover.option_text", field="mass_kg",
                         option="--mass-kg", example="95120341:68000")  # fmt: skip
    return int(text)


def _discrepancy(text: str) -> dict[str, str]:
    parts = text.split(":")
    if len(parts) < 2:
        raise TemirError(
            BAD_DISCREPANCY_TEXT, code="handover.discrepancy_text", field="discrepancy",
            example="seal_broken:95120341:КЗХ 0341-1:none",
        )  # fmt: skip
    names = ("kind", "unit", "expected", "found")
    return dict(zip(names, parts[:4], strict=False))


@handover_app.command("dispute")
def dispute(
    act_id: str = typer.Argument(..., help="Act id."),
    discrepancy: list[str] = typer.Option(
        ...,
        "--discrepancy",
        help="KIND:UNIT[:EXPECTED[:FOUND]], e.g. mass_differs:95120341:68000:64200.",
    ),
    commercial_act: str | None = typer.Option(None, "--commercial-act", help="Box 31 number."),
    at: str | None = typer.Option(None, "--at", help="ISO time with offset."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Dispute a handover act: discrepancies found, a commercial act drawn up; custody stays."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        found = [_discrepancy(d) for d in discrepancy]
        with runtime.uow()() as session:
            act = acts.dispute(session, actor, act_id, discrepancies=found,
                               commercial_act=commercial_act, at=_time(at),
                               secret=runtime.settings().secret_key)  # fmt: skip
    _act_out([act], as_json)


@handover_app.command("show")
def show(
    ref: str = typer.Argument(..., help="Act id, or note id for all its acts."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a handover act, or every act of a note."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            found = acts.show(session, actor, ref)
    _act_out(found, as_json)
