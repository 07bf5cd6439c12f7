"""``temir --help`` cold start against a minimal Typer app, each in a fresh process.

Run: ``uv run python -m bench.cli_start [--runs 15]``. Records its section of
``bench/RESULTS.md``. Every run starts a new interpreter (what a user typing the command
waits for); runs alternate between the two so both see the same machine load; the median is
reported. The baseline is a one-command Typer app with the same ``rich_markup_mode``, so the
ratio is what Temir adds on top of Python + Typer + Rich.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._floor import bar, machine
from bench._results import record

TARGET_S = 0.8
MINIMAL = '''
import typer

app = typer.Typer(add_completion=False, rich_markup_mode="rich", no_args_is_help=True)


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


@app.command()
def bye() -> None:
    """Say bye."""


app()
'''


def timed(argv: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    temir = str(Path(sys.executable).with_name("temir"))
    cases = {
        "temir --help": [temir, "--help"],
        "temir route --help": [temir, "route", "--help"],
        "temir version": [temir, "version"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp, "minimal.py")
        minimal.write_text(MINIMAL, encoding="utf-8")
        base_argv = [sys.executable, str(minimal), "--help"]
        times: dict[str, list[float]] = {name: [] for name in [*cases, "baseline"]}
        timed(base_argv)  # warm the file cache once for both
        timed(cases["temir --help"])
        with bar("cold starts", args.runs) as update:
            for k in range(args.runs):
                times["baseline"].append(timed(base_argv))
                for name, argv in cases.items():
                    times[name].append(timed(argv))
                update(k + 1)
    med = {name: statistics.median(v) for name, v in times.items()}
    base = med["baseline"]
    rows = [
        f"| {name} | {med[name]:.2f} s | {min(times[name]):.2f} s | ×{med[name] / base:.2f} |"
        for name in cases
    ]
    help_s = med["temir --help"]
    lines = [
        f"`uv run python -m bench.cli_start --runs {args.runs}` — {machine()}; fresh process "
        "per run, runs interleaved, median (min beside it); shared machine, figures noisy: "
        "compare the ratio.",
        "",
        "| command | median | min | ratio to baseline |",
        "|---|---:|---:|---:|",
        *rows,
        f"| baseline: minimal Typer app `--help` | {base:.2f} s | "
        f"{min(times['baseline']):.2f} s | ×1.00 |",
        "",
        f"Target `temir --help` ≤ {TARGET_S} s: {'met' if help_s <= TARGET_S else 'not met'} "
        f"({help_s:.2f} s). Commands are imported only when run (`temir.cli.LazyGroup`), so "
        "`temir --help` loads no capability; `temir route --help` loads the routes CLI only.",
    ]
    text = "\n".join(lines)
    print(text)
    record("cli_start", "### `temir --help` cold start\n\n" + text)


if __name__ == "__main__":
    main()
