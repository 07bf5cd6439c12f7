"""Russian and English everywhere; another language is only a catalog."""

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


def _catalog_files() -> list[Path]:
    return sorted((i18n.LOCALE_DIR / "ru" / "LC_MESSAGES").glob("*.po"))


def test_every_russian_catalog_entry_is_translated() -> None:
    from babel.messages.pofile import read_po

    for path in _catalog_files():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="ru")
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert untranslated == [], path.name


@pytest.fixture
def kazakh_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A copy of the locale folder plus one Kazakh catalog file, and nothing else."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    kk = locale / "kk" / "LC_MESSAGES"
    kk.mkdir(parents=True)
    (kk / "web.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: kk\\n"\n\n'
        'msgid "Home"\nmsgstr "Басты бет"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.available_languages.cache_clear()
    i18n._catalog.cache_clear()
    yield
    i18n.available_languages.cache_clear()
    i18n._catalog.cache_clear()


@pytest.mark.usefixtures("kazakh_catalog")
def test_a_catalog_file_is_all_a_new_language_needs(client: TestClient) -> None:
    page = client.get("/stations", headers={"accept-language": "en"}).text
    assert 'data-lang="kk"' in page  # offered in the language switch
    client.get("/lang/kk")
    kazakh = client.get("/").text
    assert '<html lang="kk">' in kazakh
    assert "Басты бет" in kazakh  # translated where the catalog has it
    assert "Stations" in kazakh  # English where it does not yet
