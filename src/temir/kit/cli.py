"""What every CLI command shares: JSON or Rich output, and errors printed, never tracebacks."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from temir.kit.errors import TemirError
from temir.kit.i18n import normalise_language

console = Console()
err_console = Console(stderr=True)

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")
MAX_FILE_BYTES = 20_000_000


def read_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of a file a command was given, or ``None`` when it is missing, unreadable or
    larger than ``max_bytes`` (each command words that for its users)."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


def language() -> str:
    return normalise_language(os.environ.get("TEMIR_LANG") or os.environ.get("LANG", "en"))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print ``data`` as JSON or through ``render`` (a Rich table or text)."""
    if as_json:
        print_json(data)
    else:
        render(data)


def fail(error: TemirError, as_json: bool = False, exit_code: int = 1) -> NoReturn:
    lang = language()
    if as_json:
        print_json(error.to_dict(lang))
    else:
        field = escape(f" [{error.field}]") if error.field else ""
        err_console.print(f"[bold red]error[/] {error.code}{field}: {escape(error.message(lang))}")
        for problem in error.problems[1:]:
            where = escape(f" [{problem.field}]") if problem.field else ""
            err_console.print(f"  - {problem.code}{where}: {escape(problem.message(lang))}")
    raise typer.Exit(exit_code)


@contextmanager
def user_errors(as_json: bool = False) -> Iterator[None]:
    """Turn a TemirError into a clear message and a non-zero exit."""
    try:
        yield
    except TemirError as error:
        fail(error, as_json)
