"""A benchmark replaces its own section of RESULTS.md and leaves the others alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench._results import record, replace_section

from bench import __main__ as runner


def test_a_new_section_is_appended_and_a_second_run_replaces_only_it(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# Results\n\nhand-written notes\n", encoding="utf-8")
    record("a", "first A", path)
    record("b", "only B", path)
    record("a", "second A", path)
    text = path.read_text(encoding="utf-8")
    assert "first A" not in text
    assert text.count("second A") == 1
    assert text.index("hand-written notes") < text.index("second A") < text.index("only B")


def test_a_body_with_backslashes_is_written_as_is() -> None:
    doc = replace_section("x\n", "s", "old")
    assert replace_section(doc, "s", r"a\1 \g<0>").count(r"a\1 \g<0>") == 1


def test_the_runner_lists_benchmarks_and_refuses_unknown_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert runner.main([]) == 0
    listed = capsys.readouterr().out
    assert "route_pairs" in listed
    assert runner.main(["no-such-bench"]) == 2
