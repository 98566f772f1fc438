"""The report's SVG charts (report18): drawn from the figures, every label escaped, gaps never drawn as points."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from data import report_charts as charts

SVG = "{http://www.w3.org/2000/svg}"


def number(value: float) -> str:
    return str(round(value))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML: nothing a label holds broke out of its element


def test_a_label_that_is_not_ours_stays_text_in_the_svg():
    svg = charts.dots([charts.Dot('<script>alert(1)</script> & "x"', 12.0, 0.0, 20.0)], alt="a <b>", number=number)
    root = parse(svg)
    assert "<script>" not in svg and root.find(f"{SVG}script") is None
    assert any(e.text == '<script>alert(1)</script> & "x"' for e in root.iter(f"{SVG}text"))
    assert root.get("role") == "img" and root.get("aria-label") == "a <b>" and root.find(f"{SVG}title").text == "a <b>"


def test_the_dots_are_drawn_lowest_first():
    svg = charts.dots([charts.Dot("korkea", 50, 40, 60), charts.Dot("matala", -20, -30, -10)], alt="", number=number)
    labels = [e.text for e in parse(svg).iter(f"{SVG}text") if e.text in ("korkea", "matala")]
    assert labels == ["matala", "korkea"]


def test_a_month_with_too_few_answers_is_a_gap_not_a_point():
    points = [charts.Point("1/26", 10, 5, 15), charts.Point("2/26", None), charts.Point("3/26", 30, 20, 40)]
    root = parse(charts.line(points, alt="", number=number, too_few="liian vähän"))
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    assert [e.text for e in root.iter(f"{SVG}text")].count("liian vähän") == 1
    assert list(root.iter(f"{SVG}polyline")) == []  # the line breaks at the gap: no segment has two points


def test_bars_are_as_long_as_their_values():
    root = parse(charts.bars([charts.Bar("a", 100, "100 %"), charts.Bar("b", 50, "50 %")], alt="", maximum=100))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] > 0


def test_a_long_name_wraps_instead_of_being_cut():
    name = "Laboratorio- ja kuvantamispalvelut, Keskussairaalan yksikkö"
    texts = [e.text for e in parse(charts.bars([charts.Bar(name, 1, "1")], alt="")).iter(f"{SVG}text")]
    assert " ".join(texts[:2]) == name
