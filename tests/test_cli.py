"""The root ``temir`` command lists every command without importing it, and each still runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from temir import cli
from temir.cli import LAZY, app

EVERY = ["version", "serve", *LAZY]


def test_help_lists_every_command_with_its_help_line() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in EVERY:
        assert f" {name} " in result.output, name
    text = " ".join(result.output.replace("│", " ").split())  # Rich boxes and wraps the lines
    for entry in LAZY.values():
        assert entry.help in text


@pytest.mark.parametrize("name", list(LAZY))
def test_each_lazy_command_loads_with_the_help_it_is_listed_with(name: str) -> None:
    command = cli.load(name)
    assert command.name == name
    loaded = " ".join((command.help or "").split())
    assert loaded.startswith(LAZY[name].help), (name, loaded)


@pytest.mark.parametrize("name", EVERY)
def test_each_command_answers_its_own_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_sub_commands_of_a_lazy_group_run() -> None:
    result = CliRunner().invoke(app, ["codes", "--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = [line.split()[1] for line in result.output.splitlines() if line.startswith("│ ")]
    assert listed
    sub = CliRunner().invoke(app, ["codes", listed[0], "--help"], terminal_width=200)
    assert sub.exit_code == 0, sub.output


def test_an_unknown_command_is_refused() -> None:
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_help_imports_no_capability() -> None:
    """``temir --help`` in a fresh process imports no command module (the start-up cost)."""
    code = (
        "import sys\n"
        "from temir.cli import main\n"
        "sys.argv = ['temir', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('temir.') and m != 'temir.cli']\n"
        "print('LOADED', sorted(loaded))\n"
        "print('SQLA', 'sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED []" in out.stdout
    assert "SQLA False" in out.stdout


def test_route_help_imports_no_network() -> None:
    """``temir route --help`` loads the routes CLI only: the route engine (numpy) and the
    database (SQLAlchemy) are imported by the command when it routes."""
    code = (
        "import sys\n"
        "from temir.cli import main\n"
        "sys.argv = ['temir', 'route', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('HEAVY', sorted(m for m in ('numpy', 'sqlalchemy') if m in sys.modules))\n"
        "print('ROUTES', 'temir.network.routes.cli' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "ROUTES True" in out.stdout  # the command's module was loaded for its help
    assert "HEAVY []" in out.stdout


def test_a_group_with_one_sub_command_keeps_it() -> None:
    result = CliRunner().invoke(app, ["ref", "load", "--help"])
    assert result.exit_code == 0, result.output
