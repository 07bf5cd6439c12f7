"""Next year's volumes per month from the history: a seasonal model with its back-test. Pure.

The model ("seasonal index × growth", multiplicative) suits freight volumes, whose seasons
scale with the year's level (the grain peak is a share of the harvest, not a fixed tonnage):

* **seasonal index**: each month's share of its year, averaged over the history years;
* **level**: last year's total × growth, where growth is the geometric mean of the
  year-on-year ratios of the annual totals (of the last three years at most);
* **forecast** of month *m* = level × index(*m*). With one year of history growth is 1 and the
  model is plain seasonal naive.

Back-test: the last history year is held out, the model is fitted on the years before it and
its forecast of the held-out year is compared month by month (MAE in tonnes, MAPE in %).

Interval (80 % by default): ``point × (1 ± z·σ)`` with σ² = σ²(season) + σ²(level): σ(season)
is the spread of the months' shares around their index; σ(level) is the spread of the log
year-on-year ratios, or — with only one ratio to go on — that ratio's own size (the growth may
not repeat). Intervals of a sum are the sums of the intervals (as if the series moved
together: wider, never narrower, than the truth). With two years of history all of this rests
on one year-on-year change: :func:`caveats` says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from temir.kit.errors import Problem, Severity
from temir.kit.i18n import N_

METHOD = "seasonal_index_x_growth"
Z = {0.8: 1.2816, 0.9: 1.6449, 0.95: 1.9600}
GROWTH_YEARS = 3

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Fit:
    """A fitted model: the seasonal index (sums to 1), the next year's level and σ."""

    index: Array
    level: float
    growth: float
    sigma: float | None  # relative; None when the history cannot say

    def point(self) -> Array:
        return self.index * self.level


def _shares(history: Array) -> Array:
    totals = history.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, history / np.where(totals > 0, totals, 1), np.nan)
    return shares


def fit(history: Array) -> Fit:
    """Fit on whole years of monthly tonnes, oldest first (shape ``(years, 12)``)."""
    history = np.asarray(history, dtype=np.float64)
    if history.ndim != 2 or history.shape[1] != 12 or history.shape[0] == 0:
        raise ValueError("history must be whole years of 12 months")
    if np.any(history < 0):
        raise ValueError("history cannot be negative")
    shares = _shares(history)
    with_data = ~np.isnan(shares[:, 0])
    if not with_data.any():
        return Fit(np.full(12, 1 / 12), 0.0, 1.0, None)
    index = np.nanmean(shares[with_data], axis=0)
    index = index / index.sum()
    totals = history.sum(axis=1)
    positive = totals[totals > 0]
    ratios = positive[1:] / positive[:-1] if positive.size > 1 else np.array([])
    ratios = ratios[-GROWTH_YEARS:]
    growth = float(np.exp(np.mean(np.log(ratios)))) if ratios.size else 1.0
    level = float(positive[-1] * growth)
    sigma: float | None = None
    if ratios.size:
        log_ratios = np.log(ratios)
        sigma_level = float(np.std(log_ratios, ddof=1)) if ratios.size > 1 else abs(log_ratios[0])
        if with_data.sum() > 1:
            used = index > 0  # a month never used has no spread to speak of
            rel = shares[with_data][:, used] / index[used] - 1
            sigma_season = float(np.sqrt(np.mean(rel**2)))
        else:
            sigma_season = 0.0
        sigma = math.sqrt(sigma_level**2 + sigma_season**2)
    return Fit(index, level, growth, sigma)


@dataclass(frozen=True)
class Backtest:
    held_out_year: int
    fitted_years: tuple[int, ...]
    predicted: tuple[float, ...]
    actual: tuple[float, ...]

    @property
    def mae(self) -> float:
        return float(np.mean(np.abs(np.array(self.predicted) - np.array(self.actual))))

    @property
    def mape(self) -> float | None:
        actual = np.array(self.actual)
        mask = actual > 0
        if not mask.any():
            return None
        errors = np.abs(np.array(self.predicted)[mask] - actual[mask]) / actual[mask]
        return float(np.mean(errors) * 100)

    def to_dict(self) -> dict[str, Any]:
        return {
            "held_out_year": self.held_out_year,
            "fitted_years": list(self.fitted_years),
            "mae_tonnes": round(self.mae),
            "mape_pct": None if self.mape is None else round(self.mape, 1),
            "predicted": [round(x) for x in self.predicted],
            "actual": [round(x) for x in self.actual],
        }


def backtest(years: Sequence[int], history: Array) -> Backtest | None:
    """Hold out the last year, fit on the years before, forecast it; None with one year only."""
    if len(years) < 2:
        return None
    model = fit(history[:-1])
    return Backtest(
        held_out_year=years[-1],
        fitted_years=tuple(years[:-1]),
        predicted=tuple(float(x) for x in model.point()),
        actual=tuple(float(x) for x in history[-1]),
    )


@dataclass(frozen=True)
class SeriesForecast:
    direction: str
    commodity_group: str
    point: tuple[int, ...]
    low: tuple[int, ...] | None
    high: tuple[int, ...] | None
    growth: float
    last_year_tonnes: int

    @property
    def total(self) -> int:
        return sum(self.point)

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "commodity_group": self.commodity_group,
            "tonnes": self.total,
            "last_year_tonnes": self.last_year_tonnes,
            "growth_pct": round((self.growth - 1) * 100, 1),
            "months": [
                {
                    "month": m + 1,
                    "tonnes": self.point[m],
                    "low": None if self.low is None else self.low[m],
                    "high": None if self.high is None else self.high[m],
                }
                for m in range(12)
            ],
        }


@dataclass(frozen=True)
class Forecast:
    year: int
    country_a: str
    country_b: str
    history_years: tuple[int, ...]
    level: float
    series: tuple[SeriesForecast, ...]
    backtest: Backtest | None
    caveats: tuple[Problem, ...]  # warnings shown beside the figures
    synthetic_history: bool = False

    def monthly_total(self) -> tuple[list[int], list[int] | None, list[int] | None]:
        point = [sum(s.point[m] for s in self.series) for m in range(12)]
        if any(s.low is None for s in self.series) or not self.series:
            return point, None, None
        low = [sum(s.low[m] for s in self.series if s.low) for m in range(12)]
        high = [sum(s.high[m] for s in self.series if s.high) for m in range(12)]
        return point, low, high

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        point, low, high = self.monthly_total()
        return {
            "year": self.year,
            "between": [self.country_a, self.country_b],
            "method": METHOD,
            "interval_level": self.level,
            "history_years": list(self.history_years),
            "synthetic_history": self.synthetic_history,
            "total": {
                "tonnes": sum(point),
                "low": None if low is None else sum(low),
                "high": None if high is None else sum(high),
                "months": point,
            },
            "backtest": None if self.backtest is None else self.backtest.to_dict(),
            "caveats": [c.message(lang) for c in self.caveats],
            "series": [s.to_dict() for s in self.series],
        }


def _round(values: Array) -> tuple[int, ...]:
    return tuple(round(float(v)) for v in values)


def forecast_series(
    history: Array, level: float = 0.8
) -> tuple[tuple[int, ...], tuple[int, ...] | None, tuple[int, ...] | None, float]:
    """Point forecast, interval bounds (or None) and growth for one series."""
    model = fit(history)
    point = model.point()
    if model.sigma is None:
        return _round(point), None, None, model.growth
    spread = Z[level] * model.sigma
    return (
        _round(point),
        _round(np.maximum(point * (1 - spread), 0)),
        _round(point * (1 + spread)),
        model.growth,
    )


def caveats(history_years: Sequence[int], synthetic: bool) -> tuple[Problem, ...]:
    notes: list[Problem] = []
    if len(history_years) <= 2:
        notes.append(
            _warning(
                "stats.forecast.short_history",
                N_(
                    "Only {count} year(s) of history: the growth rests on a single year-on-year "
                    "change and the back-test fits one year to predict the next (no growth can be "
                    "estimated in it). Treat the forecast as a starting point, not a prediction."
                ),
                count=len(history_years),
            )
        )
    if synthetic:
        notes.append(
            _warning(
                "stats.forecast.synthetic",
                N_("The history is synthetic demo data, so the forecast is too."),
            )
        )
    return tuple(notes)


def _warning(code: str, msgid: str, **params: Any) -> Problem:
    return Problem(code, msgid, None, params, Severity.WARNING)


def forecast(
    year: int,
    a: str,
    b: str,
    history_years: Sequence[int],
    series: Mapping[tuple[str, str], Array],
    *,
    level: float = 0.8,
    synthetic: bool = False,
) -> Forecast:
    """Forecast ``year`` for each (direction, commodity group) series of monthly tonnes.

    ``series`` maps (direction, group) to an array ``(len(history_years), 12)``; the back-test
    is run on the sum of all series (the figure a plan is judged by).
    """
    if level not in Z:
        raise ValueError(f"interval level must be one of {sorted(Z)}")
    out: list[SeriesForecast] = []
    for (direction, group), history in sorted(series.items()):
        history = np.asarray(history, dtype=np.float64)
        if history.sum() <= 0:
            continue
        point, low, high, growth = forecast_series(history, level)
        out.append(
            SeriesForecast(direction, group, point, low, high, growth, int(history[-1].sum()))
        )
    total = (
        np.sum([np.asarray(h, dtype=np.float64) for h in series.values()], axis=0)
        if series
        else np.zeros((len(history_years), 12))
    )
    return Forecast(
        year=year,
        country_a=a,
        country_b=b,
        history_years=tuple(history_years),
        level=level,
        series=tuple(out),
        backtest=backtest(history_years, total) if len(history_years) else None,
        caveats=caveats(history_years, synthetic),
        synthetic_history=synthetic,
    )
