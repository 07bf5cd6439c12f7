"""The seasonal forecast: recovers a known season and growth, back-tests honestly. Pure."""

from __future__ import annotations

import numpy as np
import pytest

from temir.stats.plans import forecast

SEASON = np.array([0.9, 0.85, 0.85, 0.7, 0.55, 0.5, 0.55, 0.8, 1.5, 1.7, 1.7, 1.6])


def known_series(years: int, growth: float, base: float = 120_000.0) -> np.ndarray:
    """Monthly tonnes with a fixed seasonal shape and a constant yearly growth."""
    return np.array([base * growth**y * SEASON / SEASON.mean() for y in range(years)])


def test_noise_free_history_is_recovered_exactly() -> None:
    history = known_series(5, 1.08)
    truth = known_series(6, 1.08)[-1]
    model = forecast.fit(history)
    np.testing.assert_allclose(model.index, SEASON / SEASON.sum(), rtol=1e-12)
    assert model.growth == pytest.approx(1.08)
    np.testing.assert_allclose(model.point(), truth, rtol=1e-9)


def test_noisy_history_recovers_the_season_within_tolerance() -> None:
    rng = np.random.default_rng(7)
    history = known_series(6, 1.05) * rng.normal(1.0, 0.03, (6, 12))
    truth = known_series(7, 1.05)[-1]
    model = forecast.fit(history)
    # noise of 3 % a month over six years: each share within 4 % (≈ 3 σ of a mean of six)
    np.testing.assert_allclose(model.index, SEASON / SEASON.sum(), rtol=0.04)
    np.testing.assert_allclose(model.point(), truth, rtol=0.06)
    assert model.sigma is not None
    assert 0 < model.sigma < 0.1


def test_backtest_holds_out_the_last_year() -> None:
    years = [2021, 2022, 2023, 2024]
    history = known_series(4, 1.10)
    result = forecast.backtest(years, history)
    assert result is not None
    assert result.held_out_year == 2024
    assert result.fitted_years == (2021, 2022, 2023)
    # constant growth, fitted on three years: the held-out year is predicted exactly
    assert result.mape == pytest.approx(0.0, abs=1e-9)
    assert result.mae == pytest.approx(0.0, abs=1e-6)


def test_two_years_backtest_cannot_see_growth_and_says_so() -> None:
    history = known_series(2, 1.15)
    result = forecast.forecast(2026, "KZ", "TJ", [2024, 2025], {("export", "grain"): history})
    assert result.backtest is not None
    # fitted on 2024 alone (growth 1): every month is 1/1.15 of the truth → 13.04 % off
    assert result.backtest.mape == pytest.approx((1 - 1 / 1.15) * 100, rel=1e-9)
    assert [c.code for c in result.caveats] == ["stats.forecast.short_history"]
    assert "2 year(s)" in result.caveats[0].message("en")
    [series] = result.series
    assert series.total == pytest.approx(history[-1].sum() * 1.15, abs=12)
    assert series.low is not None
    assert series.high is not None
    assert all(
        lo <= p <= hi for lo, p, hi in zip(series.low, series.point, series.high, strict=True)
    )


def test_one_year_of_history_gives_no_interval_and_no_backtest() -> None:
    history = known_series(1, 1.0)
    result = forecast.forecast(
        2025, "KZ", "TJ", [2024], {("export", "grain"): history}, synthetic=True
    )
    assert result.backtest is None
    [series] = result.series
    assert series.low is None
    assert series.high is None
    assert series.point == tuple(round(x) for x in history[0])
    assert {c.code for c in result.caveats} == {
        "stats.forecast.short_history",
        "stats.forecast.synthetic",
    }
    body = result.to_dict("ru")
    assert body["total"]["low"] is None
    assert "синтетические" in " ".join(body["caveats"])


def test_bad_history_is_refused() -> None:
    with pytest.raises(ValueError, match="12 months"):
        forecast.fit(np.ones((2, 11)))
    with pytest.raises(ValueError, match="negative"):
        forecast.fit(-np.ones((2, 12)))
