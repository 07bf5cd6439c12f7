"""The server-side map projection: north up, east right, fits the width, small output."""

from __future__ import annotations

from temir.web.svgmap import Edge, Point, bridges, draw, fit

ASTANA = Point("a", 51.17, 71.45, "KZH", name="Astana")
ALMATY = Point("b", 43.27, 76.94, "KZH", name="Almaty")
TASHKENT = Point("c", 41.30, 69.24, "UTI", name="Tashkent")


def test_north_is_up_and_east_is_right() -> None:
    projection, _ = fit([(p.lat, p.lon) for p in (ASTANA, ALMATY, TASHKENT)], 500)
    ax, ay = projection.xy(ASTANA.lat, ASTANA.lon)
    bx, by = projection.xy(ALMATY.lat, ALMATY.lon)
    assert ay < by  # Astana is north of Almaty: higher on the map
    assert bx > ax  # Almaty is east of Astana


def test_points_fit_the_width_with_padding_and_keep_proportions() -> None:
    wide = [Point("w", 43.0, 60.0, "KZH"), Point("e", 45.0, 80.0, "KZH")]
    drawing = draw(wide, [], width=500, padding=10)
    xs = [m.x for m in drawing.markers]
    ys = [m.y for m in drawing.markers]
    assert (min(xs), max(xs)) == (10, 490)
    assert (min(ys), max(ys)) == (10, drawing.height - 10)
    # 20° of longitude at 44° N are ~14.4 degrees of latitude: 2° tall is 1/7.2 of the width
    assert 7.0 < (max(xs) - min(xs)) / (max(ys) - min(ys)) < 7.4


def test_a_tall_extent_is_centred_not_stretched() -> None:
    drawing = draw([ASTANA, ALMATY, TASHKENT], [], width=500, padding=10)
    xs = [m.x for m in drawing.markers]
    ys = [m.y for m in drawing.markers]
    assert drawing.height == 500  # never taller than wide
    assert (min(ys), max(ys)) == (10, 490)
    assert abs((min(xs) - 10) - (490 - max(xs))) < 1  # centred
    # 7.7° of longitude at ~46° N are ~5.3 degrees of latitude, against 9.87° of latitude
    assert 0.52 < (max(xs) - min(xs)) / (max(ys) - min(ys)) < 0.56


def test_edges_become_one_path_per_railway_and_border_links_apart() -> None:
    edges = [
        Edge("a", "b", "KZH"),
        Edge("b", "a", "KZH"),  # the same section listed both ways: drawn once
        Edge("a", "c", "BORDER"),
        Edge("a", "zzz", "KZH"),  # an end without a position: left out
    ]
    drawing = draw([ASTANA, ALMATY, TASHKENT], edges, width=500)
    assert [layer.railway for layer in drawing.layers] == ["KZH"]
    assert drawing.layers[0].d.count("M") == 1
    assert len(drawing.border_links) == 1


def test_a_single_station_still_gets_a_map() -> None:
    drawing = draw([ASTANA], [], width=300)
    assert drawing.height > 0
    assert 0 < drawing.markers[0].x < 300


def test_highlighted_and_border_markers_are_drawn_last() -> None:
    here = Point("h", 45.0, 70.0, "KZH", highlight=True)
    border = Point("x", 44.0, 71.0, "KZH", border=True)
    drawing = draw([here, border, ASTANA], [], width=300)
    assert [m.point.key for m in drawing.markers] == ["a", "x", "h"]


def test_sections_through_stations_without_a_position_are_bridged_and_named() -> None:
    # Almaty - X - Y - Tashkent, and X - Astana: X and Y have no position
    edges = [
        Edge("b", "x", "KZH"),
        Edge("x", "y", "KZH"),
        Edge("y", "c", "BORDER"),
        Edge("x", "a", "KZH"),
        Edge("a", "b", "KZH"),  # drawn already: no bridge beside it
    ]
    placed = {"a", "b", "c"}
    found = bridges(placed, edges, {"x": "Шу", "y": "Берлик I"})
    pairs = {(min(e.a, e.b), max(e.a, e.b)): e for e in found}
    assert set(pairs) == {("b", "c"), ("a", "c")}
    assert pairs[("b", "c")].via == "Шу, Берлик I"
    assert pairs[("b", "c")].railway == "KZH"  # a border link is never the bridge's colour
    drawing = draw([ASTANA, ALMATY, TASHKENT], edges + found, width=500)
    assert len(drawing.bridges) == 2
    assert {b.via for b in drawing.bridges} == {"Шу, Берлик I"}
    assert drawing.layers[0].d.count("M") == 1  # the dashed lines are not in the solid layer


def test_no_bridge_when_every_end_has_a_position() -> None:
    assert bridges({"a", "b"}, [Edge("a", "b", "KZH")], {}) == []
