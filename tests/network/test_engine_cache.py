"""A built engine kept on disk answers exactly as a freshly built one; a bad file costs a build."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from temir.network import engine_cache
from temir.network.routing import Router
from temir.network.routing.loader import shipped

PAIRS = [("684001", "745309"), ("690002", "725006"), ("684001", "684102")]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEMIR_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("TEMIR_ENGINE_CACHE", raising=False)
    return tmp_path


class Builds:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Router:
        self.calls += 1
        return Router(shipped())


def _answers(r: Router) -> list[object]:
    out: list[object] = []
    for a, b in PAIRS:
        if a in r.code_railway and b in r.code_railway:
            out.append([x.to_dict() for x in r.routes(a, b, limit=5)])
    codes = sorted(r.code_railway)
    rng = np.random.default_rng(7)
    ia = r.encode(list(rng.choice(codes, 2000)))
    ib = r.encode(list(rng.choice(codes, 2000)))
    paths = r.batch_paths(ia, ib)
    texts = [
        r.path_texts[p].km_by_railway(int(f), int(last)) if p >= 0 else ""
        for p, f, last in zip(paths.path, paths.first_km, paths.last_km, strict=True)
    ]
    out.append((paths.km.tolist(), texts, [r.path_texts[p].borders for p in paths.path]))
    return out


def test_a_stored_engine_is_loaded_and_answers_as_a_fresh_one(cache: Path) -> None:
    build = Builds()
    first = engine_cache.load_or_build("shipped:test", build)
    assert build.calls == 1
    assert len(list(cache.glob("engine-*.pickle"))) == 1
    second = engine_cache.load_or_build("shipped:test", build)
    assert build.calls == 1  # loaded, not built
    assert second is not first
    assert _answers(second) == _answers(Router(shipped()))


def test_another_edition_key_is_another_file(cache: Path) -> None:
    build = Builds()
    engine_cache.load_or_build("shipped:a", build)
    engine_cache.load_or_build("shipped:b", build)
    assert build.calls == 2
    assert len(list(cache.glob("engine-*.pickle"))) == 2


def test_a_damaged_file_means_a_build_and_a_good_file_again(cache: Path) -> None:
    build = Builds()
    engine_cache.load_or_build("shipped:test", build)
    (path,) = cache.glob("engine-*.pickle")
    path.write_bytes(path.read_bytes()[:1000])
    r = engine_cache.load_or_build("shipped:test", build)
    assert build.calls == 2
    assert _answers(r) == _answers(Router(shipped()))
    engine_cache.load_or_build("shipped:test", build)
    assert build.calls == 2


def test_switched_off_it_builds_and_writes_nothing(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMIR_ENGINE_CACHE", "0")
    build = Builds()
    engine_cache.load_or_build("shipped:test", build)
    engine_cache.load_or_build("shipped:test", build)
    assert build.calls == 2
    assert not list(cache.iterdir())


def test_the_shipped_key_follows_the_data_files() -> None:
    assert engine_cache.shipped_key() == engine_cache.shipped_key()
    assert engine_cache.shipped_key().startswith("shipped:")
