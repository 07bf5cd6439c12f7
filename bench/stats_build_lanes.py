"""Build ``src/temir/data/stats/lanes.csv``: the demo lanes with their TR-4 tariff km per railway.

Why a build script and not a run-time calculation: the synthetic generator must be pure and
reproducible from the packaged data alone, without building the routing engine on every run.

One source of truth: every lane is the route Temir's own engine answers for its two stations —
``temir.network.routing.loader.shipped_router().shortest`` over the shipped network and TR-4
data, the same ``Router.routes`` the ``temir route`` CLI ranks. The lane records the engine's
border crossings, its km per railway and whether every leg is an official TR-4 figure. (Before,
this script had a path code of its own that forced the crossings per region and left the RZD
legs without km; it disagreed with the engine on 152 of 216 lanes.)

Run: ``uv run python bench/stats_build_lanes.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from temir.network.routing import Route, Router
from temir.network.routing.loader import shipped_router

OUT = Path(__file__).resolve().parent.parent / "src/temir/data/stats/lanes.csv"

# Tajik stations by region (a label only; the crossings come from the engine).
TJ_DEST = {
    "north": ["747802", "748006", "748504"],  # Худжанд, Канибадам, Исфара
    "centre": ["745309", "745807", "745008"],  # Душанбе II, Регар, Вахдат
    "south": ["748909", "938701", "746405"],  # Куляб, Дангара НПЗ, Хатлон
}
KZ_ORIGINS = [
    "684001",  # Костанай (grain, flour)
    "687008",  # Кокшетау I (grain)
    "690002",  # Астана-1 (grain, flour)
    "680000",  # Есиль (grain)
    "696206",  # Павлодар-Южный (oil products: Pavlodar refinery)
    "698606",  # Шымкент (oil products: Shymkent refinery; flour)
    "661705",  # Атырау (oil products: Atyrau refinery) — enters Uzbekistan via Оазис
    "674300",  # Темиртау (ferrous metals)
    "695701",  # Аксу I (ferrous metals)
    "677008",  # Жезказган (non-ferrous ore)
    "677506",  # Балхаш I (non-ferrous ore)
    "713702",  # Усть-Каменогорск (non-ferrous ore, vegetable oil)
    "709508",  # Семей-Грузовой (vegetable oil)
]
KZ_IMPORT_DEST = ["700007", "698606", "690002", "706304"]  # Алматы 1, Шымкент, Астана-1, Тараз
RU_ENDS = ["811905", "814301", "816203", "840109"]  # Оренбург, Никель, Карталы I, Барнаул

FIELDS = [
    "lane",
    "kind",
    "region",
    "origin_esr",
    "origin_name_ru",
    "origin_railway",
    "origin_country",
    "destination_esr",
    "destination_name_ru",
    "destination_railway",
    "destination_country",
    "crossings",
    "crossing_names_ru",
    "km_by_railway",
    "tariff_km",
    "tariff_km_complete",
    "tariff_km_official",
]


def lane(router: Router, origin: str, dest: str) -> tuple[Route, dict[str, str]]:
    """The engine's route origin → dest as a lanes.csv row (without lane id, kind, region)."""
    route = router.shortest(origin, dest)
    stations = router.data.stations
    return route, {
        "origin_esr": origin,
        "origin_name_ru": stations[origin].name_ru,
        "origin_railway": router.railway_of(origin),
        "origin_country": stations[origin].country,
        "destination_esr": dest,
        "destination_name_ru": stations[dest].name_ru,
        "destination_railway": router.railway_of(dest, "to"),
        "destination_country": stations[dest].country,
        "crossings": " ".join(f"{b.exit_esr}/{b.entry_esr}" for b in route.borders),
        "crossing_names_ru": "; ".join(
            f"{stations[b.exit_esr].name_ru}/{stations[b.entry_esr].name_ru}" for b in route.borders
        ),
        "km_by_railway": route.km_by_railway(),
        "tariff_km": str(route.km),
        # Every railway of the route has a km (TR-4 covers RZD too, Book 1 sections).
        "tariff_km_complete": "yes",
        # "no": some leg is a chain of Book 1 sections, TR-4 publishes no figure for it.
        "tariff_km_official": "yes" if route.official else "no",
    }


def build(router: Router) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def add(kind: str, region: str, origin: str, dest: str) -> None:
        route, row = lane(router, origin, dest)
        if route.ferry:
            raise SystemExit(f"{origin} -> {dest}: the engine's route uses a ferry")
        rows.append({"lane": f"L{len(rows) + 1:03d}", "kind": kind, "region": region} | row)

    for region, destinations in TJ_DEST.items():
        for dest in destinations:
            for origin in KZ_ORIGINS:
                add("kz_tj", region, origin, dest)
            for kz in KZ_IMPORT_DEST:
                add("tj_kz", region, dest, kz)
            for ru in RU_ENDS:
                add("ru_tj", region, ru, dest)
                add("tj_ru", region, dest, ru)
    return rows


def main() -> None:
    rows = build(shipped_router())
    # TR-4 check from METHOD.md §6: Костанай → Душанбе II via Сарыагаш and Кудукли.
    check = next(
        r for r in rows if r["origin_esr"] == "684001" and r["destination_esr"] == "745309"
    )
    assert check["km_by_railway"] == "KZH:2213;UTI:875;TDZ:63", check["km_by_railway"]
    assert check["crossings"] == "704101/720602 736206/746000", check["crossings"]
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} lanes written to {OUT}")


if __name__ == "__main__":
    main()
