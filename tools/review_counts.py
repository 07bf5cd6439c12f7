"""Recount the review marks of the Kazakh and Tajik catalogs into ``locale/REVIEW.md``.

Why a tool: several people add translations at once, each with ``# review: term: translation``
comments, and the counts in REVIEW.md (checked by ``tests/kit/test_i18n.py``) then clash on
every merge. The counts are a function of the catalogs, so they are recomputed here rather
than merged by hand. The prose of REVIEW.md and the "translation used" column of terms already
listed are kept; a new term gets its row with the translations its comments name.

Run: ``uv run python -m tools.review_counts`` (``--check`` exits 1 when REVIEW.md is stale).
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "temir" / "locale"
LANGUAGES = ("kk", "tg")
_CONFLICT = re.compile(r"^(<<<<<<<|=======|>>>>>>>)")
_TERM_ROW = re.compile(r"^\| (kk|tg) \| (.+?) \| (\d+) \| (.*) \|$")
_TOTAL_ROW = re.compile(r"^\| (kk|tg) \| (\d+) \| (\d+) \|$")


def marks(lang: str) -> tuple[int, int, Counter[str], dict[str, list[str]]]:
    """Entries marked, entries in all, entries per term, translations named per term."""
    marked = total = 0
    terms: Counter[str] = Counter()
    used: dict[str, list[str]] = defaultdict(list)
    for path in sorted((LOCALE / lang).glob("*/*.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue
            total += 1
            notes = [
                c.removeprefix("review:").strip()
                for c in message.user_comments
                if c.startswith("review:")
            ]
            marked += bool(notes)
            for note in notes:
                for part in note.split("; "):
                    term, _, translation = part.partition(":")
                    terms[term] += 1
                    translation = translation.strip()
                    if translation and translation not in used[term]:
                        used[term].append(translation)
    return marked, total, terms, used


def recounted(text: str) -> str:
    """REVIEW.md with every count recomputed (merge conflict markers dropped, rows deduplicated)."""
    counts = {lang: marks(lang) for lang in LANGUAGES}
    out: list[str] = []
    seen_terms: set[tuple[str, str]] = set()
    seen_totals: set[str] = set()
    last_term_row: dict[str, int] = {}
    for line in text.splitlines():
        if _CONFLICT.match(line):
            continue
        if found := _TOTAL_ROW.match(line):
            lang = found.group(1)
            if lang in seen_totals:
                continue
            seen_totals.add(lang)
            marked, total, _, _ = counts[lang]
            out.append(f"| {lang} | {marked} | {total} |")
            continue
        if found := _TERM_ROW.match(line):
            lang, term, _, translation = found.groups()
            if (lang, term) in seen_terms or term not in counts[lang][2]:
                continue
            seen_terms.add((lang, term))
            out.append(f"| {lang} | {term} | {counts[lang][2][term]} | {translation} |")
            last_term_row[lang] = len(out)
            continue
        out.append(line)
    for lang in reversed(LANGUAGES):  # new terms after the language's last listed row
        _, _, terms, used = counts[lang]
        new = [t for t in terms if (lang, t) not in seen_terms]
        if not new:
            continue
        rows = [f"| {lang} | {t} | {terms[t]} | {' / '.join(used[t]) or '?'} |" for t in new]
        at = last_term_row.get(lang, len(out))
        out[at:at] = rows
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    path = LOCALE / "REVIEW.md"
    text = path.read_text(encoding="utf-8")
    fresh = recounted(text)
    if "--check" in argv:
        return 0 if fresh == text else 1
    path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
