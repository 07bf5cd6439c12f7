"""Every message temir.codes can show has a Russian, Kazakh and Tajik translation that fills the
same fields."""

from __future__ import annotations

import string

import pytest

import temir.codes
from temir.codes import RULES, check
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import TRANSLATIONS, gettext

BAD_INPUTS = {
    "esr": ["", "12ab", "888005", "88800", "000000"],
    "etsng": ["", "x", "011006", "000000"],
    "gng": ["", "1", "99999999", "00000000"],
    "wagon": ["", "2411970a", "2411970", "24119704", "00000000"],
    "uic-wagon": ["", "21--81", "2181247121", "21-81-2471217-4", "21_81", "00-00-0000000-0"],
    "container": ["", "CSQ", "CSQ13054383", "CSQA3054384"],
    "railway": ["", "XX"],
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_registry_is_populated() -> None:
    assert temir.codes.KINDS  # importing the package declares every rule
    assert len(RULES) >= 25
    assert "codes.unknown_kind" in RULES


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_a_translation(code: str, lang: str) -> None:
    msgid = RULES[code].msgid
    translated = gettext(msgid, lang)
    assert translated != msgid, f"no {lang} translation for {code}: {msgid!r}"
    assert placeholders(translated) == placeholders(msgid)


@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in BAD_INPUTS.items() for text in texts]
)
def test_every_reported_problem_is_a_declared_rule(kind: str, text: str) -> None:
    problems = check(kind, text).problems
    assert problems
    for problem in problems:
        assert RULES[problem.code].msgid == problem.msgid
        assert placeholders(problem.msgid) <= set(problem.params)
        assert all("{" not in problem.message(lang) for lang in TRANSLATIONS)
    # and each can be raised as the project's validation error
    assert ValidationFailed.from_problems(problems).problems == problems


def test_every_rule_is_reachable_from_the_bad_inputs() -> None:
    seen = {"codes.unknown_kind"} & {p.code for p in check("nope", "1").problems}
    for kind, texts in BAD_INPUTS.items():
        for text in texts:
            seen |= {p.code for p in check(kind, text).problems}
    assert seen == set(RULES)
