"""English, Russian, Kazakh and Tajik everywhere; another language is only a catalog."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from temir.kit import i18n


def test_language_switch_sets_a_cookie_and_returns(client: TestClient) -> None:
    response = client.get("/lang/ru", params={"next": "/stations?q=x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/stations?q=x"
    assert "lang=ru" in response.headers["set-cookie"]
    page = client.get("/stations")  # the client keeps the cookie
    assert "<h1>Станции</h1>" in page.text
    client.get("/lang/en")
    assert "<h1>Stations</h1>" in client.get("/stations").text


def test_language_switch_never_redirects_off_site(client: TestClient) -> None:
    response = client.get("/lang/ru", params={"next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_unknown_language_is_ignored(client: TestClient) -> None:
    response = client.get("/lang/xx", follow_redirects=False)
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("path", ["/", "/stations?q=Сарыагаш", "/stations/704101", "/map"])
def test_pages_follow_accept_language(client: TestClient, path: str) -> None:
    ru = client.get(path, headers={"accept-language": "ru-RU,ru;q=0.9"}).text
    en = client.get(path, headers={"accept-language": "en"}).text
    assert '<html lang="ru">' in ru
    assert '<html lang="en">' in en
    assert "Главная" in ru
    assert "Home" not in ru.split("<main>")[0]
    assert "Home" in en


def _catalog_files(lang: str) -> list[Path]:
    return sorted((i18n.LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


@pytest.mark.parametrize("lang", i18n.TRANSLATIONS)
def test_every_catalog_entry_is_translated(lang: str) -> None:
    from babel.messages.pofile import read_po

    assert _catalog_files(lang)
    for path in _catalog_files(lang):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert untranslated == [], path.name


@pytest.mark.parametrize(
    ("lang", "name", "home", "stations", "quote", "stats"),
    [
        (
            "kk",
            "Қазақша",
            "Басты бет",
            "Станциялар",
            "Маршруттар мен есептеу",
            "Тасымал статистикасы",
        ),
        ("tg", "Тоҷикӣ", "Саҳифаи асосӣ", "Истгоҳҳо", "Масирҳо ва ҳисоб", "Омори боркашонӣ"),
    ],
)
def test_kazakh_and_tajik_switch_the_pages(
    client: TestClient, lang: str, name: str, home: str, stations: str, quote: str, stats: str
) -> None:
    english = client.get("/", headers={"accept-language": "en"}).text
    assert f'data-lang="{lang}">{name}</a>' in english  # offered by its own name
    response = client.get(f"/lang/{lang}", params={"next": "/stations"}, follow_redirects=False)
    assert response.status_code == 303
    assert f"lang={lang}" in response.headers["set-cookie"]
    page = client.get("/").text
    assert f'<html lang="{lang}">' in page
    assert f'<strong lang="{lang}" aria-current="true">{name}</strong>' in page
    assert home in page
    assert f"<h1>{stations}</h1>" in client.get("/stations").text
    assert f"<h1>{quote}</h1>" in client.get("/quote").text
    assert stats in client.get("/stats").text
    assert "Stations" not in page.split("<main>")[0]


@pytest.mark.parametrize(("header", "lang"), [("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"), ("tg", "tg")])
def test_pages_follow_a_kazakh_or_tajik_browser(client: TestClient, header: str, lang: str) -> None:
    assert f'<html lang="{lang}">' in client.get("/", headers={"accept-language": header}).text


@pytest.fixture
def uzbek_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A copy of the locale folder plus one catalog file of a language Temir does not ship."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    uz = locale / "uz" / "LC_MESSAGES"
    uz.mkdir(parents=True)
    (uz / "web.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: uz\\n"\n\n'
        'msgid "Home"\nmsgstr "Bosh sahifa"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.available_languages.cache_clear()
    i18n._catalog.cache_clear()
    yield
    i18n.available_languages.cache_clear()
    i18n._catalog.cache_clear()


@pytest.mark.usefixtures("uzbek_catalog")
def test_a_catalog_file_is_all_a_new_language_needs(client: TestClient) -> None:
    page = client.get("/stations", headers={"accept-language": "en"}).text
    assert 'data-lang="uz"' in page  # offered in the language switch
    client.get("/lang/uz")
    uzbek = client.get("/").text
    assert '<html lang="uz">' in uzbek
    assert "Bosh sahifa" in uzbek  # translated where the catalog has it
    assert "Stations" in uzbek  # English where it does not yet
