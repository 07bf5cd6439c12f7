"""Build ``src/temir/data/stats/lanes.csv``: the demo lanes with their TR-4 tariff km per railway.

Why a build script and not a run-time calculation: the synthetic generator must be pure and
reproducible from the packaged data alone; the TR-4 books live in the shared reference folder.
The km follow TR-4 Book 2 + Book 3 (METHOD.md §3, §6): per railway
``min over transit points X of A, Y of B of Book2(A→X) + Book3(X,Y) + Book2(Y→B)``, and the
legs of the railways are added. Railways outside TR-4 (RZD) contribute no km: the lane says so.

Run: ``uv run python bench/stats_build_lanes.py /work/shared/data``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/temir/data/stats/lanes.csv"

# lane id, origin ESR, destination ESR, crossings as (exit code, entry code) in route order.
SARYAGASH = ("704101", "720602")
BEKABAD = ("726204", "747501")
KUDUKLI = ("736206", "746000")
AMUZANG = ("736507", "746805")
KZ_TJ = {
    "north": [SARYAGASH, BEKABAD],
    "centre": [SARYAGASH, KUDUKLI],
    "south": [SARYAGASH, AMUZANG],
}
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
    "696206",  # Павлодар-Южный (oil products)
    "698606",  # Шымкент (oil products, flour)
    "674300",  # Темиртау (ferrous metals)
    "695701",  # Аксу I (ferrous metals)
    "677008",  # Жезказган (non-ferrous ore)
    "677506",  # Балхаш I (non-ferrous ore)
    "713702",  # Усть-Каменогорск (non-ferrous ore, vegetable oil)
    "709508",  # Семей-Грузовой (vegetable oil)
]
KZ_IMPORT_DEST = ["700007", "698606", "690002", "706304"]  # Алматы 1, Шымкент, Астана-1, Тараз
RU_GATEWAYS = {
    "811905": ("813008", "666501"),  # Оренбург via Канисай (рзд)/Илецк I
    "814301": ("814509", "678405"),  # Никель via Орск-Новый Город/Алимбет
    "816203": ("816504", "679107"),  # Карталы I via Карталы I/Елимай
    "840109": ("844805", "697509"),  # Барнаул via Кулунда/Куркамыс
}


def load(data: Path) -> tuple[dict[str, dict[str, str]], dict, dict, dict[str, str]]:
    stations = {r["esr_code"]: r for r in csv.DictReader((data / "network/stations.csv").open())}
    to_tp: dict[str, list[tuple[str, int]]] = {}
    for r in csv.DictReader((data / "tr4/station_transit_points.csv").open()):
        if r["transit_esr"]:
            to_tp.setdefault(r["esr_code"], []).append((r["transit_esr"], int(r["km"])))
    matrix: dict[tuple[str, str], int] = {}
    for r in csv.DictReader((data / "tr4/transit_distances.csv").open()):
        matrix[(r["from_esr"], r["to_esr"])] = matrix[(r["to_esr"], r["from_esr"])] = int(r["km"])
    railway = {e: r["railway"] for e, r in stations.items()}
    return stations, to_tp, matrix, railway


def leg_km(a: str, b: str, to_tp: dict, matrix: dict) -> int:
    best = None
    for x, ax in to_tp.get(a, []):
        for y, by in to_tp.get(b, []):
            mid = 0 if x == y else matrix.get((x, y))
            if mid is None:
                continue
            km = ax + mid + by
            best = km if best is None or km < best else best
    if best is None:
        raise SystemExit(f"no TR-4 distance {a} -> {b}")
    return best


def lane(origin: str, dest: str, crossings: list[tuple[str, str]], ctx: tuple) -> dict[str, str]:
    stations, to_tp, matrix, railway = ctx
    points = [origin] + [c for pair in crossings for c in pair] + [dest]
    legs = []
    for start, end in zip(points[0::2], points[1::2], strict=True):
        rw = railway[start]
        if rw == "RZD":
            legs.append(f"{rw}:")  # not in TR-4: no km
            continue
        legs.append(f"{rw}:{leg_km(start, end, to_tp, matrix)}")
    return {
        "origin_esr": origin,
        "origin_name_ru": stations[origin]["name_ru"],
        "origin_railway": railway[origin],
        "origin_country": stations[origin]["country"],
        "destination_esr": dest,
        "destination_name_ru": stations[dest]["name_ru"],
        "destination_railway": railway[dest],
        "destination_country": stations[dest]["country"],
        "crossings": " ".join(f"{a}/{b}" for a, b in crossings),
        "crossing_names_ru": "; ".join(
            f"{stations[a]['name_ru']}/{stations[b]['name_ru']}" for a, b in crossings
        ),
        "km_by_railway": ";".join(legs),
        "tariff_km": str(sum(int(x.split(":")[1] or 0) for x in legs)),
        "tariff_km_complete": "no" if any(x.endswith(":") for x in legs) else "yes",
    }


def reverse(crossings: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(b, a) for a, b in reversed(crossings)]


def main(data: Path) -> None:
    ctx = load(data)
    rows: list[dict[str, str]] = []
    for region, crossings in KZ_TJ.items():
        for dest in TJ_DEST[region]:
            for origin in KZ_ORIGINS:
                rows.append(
                    lane(origin, dest, crossings, ctx) | {"kind": "kz_tj", "region": region}
                )
            for kz in KZ_IMPORT_DEST:
                rows.append(
                    lane(dest, kz, reverse(crossings), ctx) | {"kind": "tj_kz", "region": region}
                )
            for ru, gateway in RU_GATEWAYS.items():
                via = [gateway, *crossings]
                rows.append(lane(ru, dest, via, ctx) | {"kind": "ru_tj", "region": region})
                rows.append(lane(dest, ru, reverse(via), ctx) | {"kind": "tj_ru", "region": region})
    # TR-4 check from METHOD.md §6: Костанай → Душанбе II via Сарыагаш and Кудукли.
    check = next(
        r for r in rows if r["origin_esr"] == "684001" and r["destination_esr"] == "745309"
    )
    assert check["km_by_railway"] == "KZH:2213;UTI:875;TDZ:63", check["km_by_railway"]
    fields = ["lane", "kind", "region", *rows[0].keys() - {"kind", "region"}]
    order = [
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
    ]
    assert set(order) == set(fields)
    with OUT.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=order, lineterminator="\n")
        writer.writeheader()
        for i, row in enumerate(rows, 1):
            writer.writerow({"lane": f"L{i:03d}", **row})
    print(f"{len(rows)} lanes written to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
