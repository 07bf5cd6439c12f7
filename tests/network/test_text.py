"""kit.text.fold: what a user types and what is stored fold to the same words."""

from __future__ import annotations

import pytest

from temir.kit.text import fold, search_words, transliterate


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("КОСТАНАЙ", "костанай"),
        ("Қостанай", "костанай"),
        ("Шымкент-Өзен", "шымкент озен"),
        ("Ақтөбе I", "актобе i"),
        ("Ұлытау Үштөбе Һ", "улытау уштобе х"),
        ("Кіші", "киши"),
        ("Ғарышкер Әуе Ң", "гарышкер ауе н"),
        ("Ҳисор Ҷиликул Ӯ Ӣ", "хисор чиликул у и"),
        ("Семёновка", "семеновка"),
        ("Café", "cafe"),
        ("Достык (эксп.)", "достык эксп"),
        ("a_b%c", "a b c"),
        ("   ", ""),
    ],
)
def test_fold(typed: str, expected: str) -> None:
    assert fold(typed) == expected


def test_fold_keeps_short_i() -> None:
    assert fold("Май") == "май"
    assert fold("МАЙ") != fold("маи")


def test_search_words_frame_every_word_with_spaces() -> None:
    assert search_words("Туркменбаши I") == " туркменбаши i "
    assert search_words("") == ""


def test_transliterate() -> None:
    assert transliterate("Семиглавый Мар (эксп.)") == "Semiglavyy Mar (exp.)"
    assert transliterate("Жалгызтал") == "Zhalgyztal"
    assert transliterate("Щучинск") == "Shchuchinsk"
