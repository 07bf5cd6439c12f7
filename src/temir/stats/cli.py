"""``temir stats``: one Typer app assembled from the sub-packages' commands.

Each command is a function at module level in the sub-package it belongs to
(:mod:`temir.stats.volumes.cli`, :mod:`temir.stats.plans.cli`,
:mod:`temir.stats.protocol.cli`); this module only names them, so the whole command tree of
statistics reads in one place.
"""

from __future__ import annotations

import typer

from temir.stats.plans import cli as plans
from temir.stats.protocol import cli as protocol
from temir.stats.volumes import cli as volumes

app = typer.Typer(no_args_is_help=True)
app.command("volumes")(volumes.volumes)
app.command("generate")(volumes.generate)
app.command("import")(volumes.import_)
app.command("check")(volumes.check)
app.command("rebuild")(volumes.rebuild)

plan_app = typer.Typer(no_args_is_help=True, help="Freight plans: enter, import, against actual.")
app.add_typer(plan_app, name="plan")
plan_app.command("show")(plans.plan_show)
plan_app.command("set")(plans.plan_set)
plan_app.command("import")(plans.plan_import)
plan_app.command("seed-from-forecast")(plans.plan_seed)
app.command("forecast")(plans.forecast_command)

protocol_app = typer.Typer(
    no_args_is_help=True, help='Protocol "results of year N and plans for N+1": PDF, XLSX, signed.'
)
app.add_typer(protocol_app, name="protocol")
protocol_app.command("create")(protocol.protocol_create)
protocol_app.command("list")(protocol.protocol_list)
protocol_app.command("show")(protocol.protocol_show)
protocol_app.command("pdf")(protocol.protocol_pdf)
protocol_app.command("xlsx")(protocol.protocol_xlsx)
protocol_app.command("export")(protocol.protocol_export)
protocol_app.command("sign")(protocol.protocol_sign)
protocol_app.command("verify")(protocol.protocol_verify)
protocol_app.command("check")(protocol.protocol_check)
