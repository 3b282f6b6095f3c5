"""SVG charts: well-formed, accessible, escaped and proportional."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from federation.charts import Bar, Chart, Segment, horizontal_bars, monthly_columns
from federation.statistics import last_months

SVG = "{http://www.w3.org/2000/svg}"


def sample_chart() -> Chart:
    return Chart(
        "sample",
        "Awards <per> member & more",
        "Two bars",
        (
            Bar("Université <UPHF>", (Segment("kept", 6), Segment("revoked", 2))),
            Bar("BTU & co", (Segment("kept", 3), Segment("revoked", 0))),
        ),
        ("kept", "revoked"),
    )


def test_horizontal_bars_are_well_formed() -> None:
    root = ET.fromstring(horizontal_bars(sample_chart()))

    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert title is not None
    assert desc is not None
    assert title.text == "Awards <per> member & more"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Université <UPHF>" in texts
    assert "BTU & co" in texts
    assert "8" in texts


def test_horizontal_bar_widths_are_proportional() -> None:
    root = ET.fromstring(horizontal_bars(sample_chart()))

    bars = [
        float(rect.get("width", "0"))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("height") == "18"
    ]

    # Bars of 6, 2 and 3 credentials; the empty revoked part of BTU draws nothing.
    assert len(bars) == 3
    assert abs(bars[0] / bars[2] - 2.0) < 0.01
    assert abs(bars[0] / bars[1] - 3.0) < 0.01


def test_monthly_columns_have_one_label_per_month() -> None:
    months = ["2026-01", "2026-02", "2026-03"]
    chart = Chart(
        "months",
        "Per month",
        "Three months",
        [
            Bar(month, [Segment("uphf", index), Segment("btu", 1)])
            for index, month in enumerate(months)
        ],
        ("uphf", "btu"),
    )

    root = ET.fromstring(monthly_columns(chart))

    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert all(month in texts for month in months)
    assert len([rect for rect in root.iter(f"{SVG}rect") if rect.get("width") != "12"]) == 5


def test_empty_chart_is_well_formed() -> None:
    chart = Chart("empty", "Nothing", "No data", (), ("kept",))

    root = ET.fromstring(horizontal_bars(chart))

    assert root.find(f"{SVG}title") is not None


def test_last_months_cross_the_year() -> None:
    months = last_months(datetime(2026, 2, 15, tzinfo=UTC), 4)

    assert months == ["2025-11", "2025-12", "2026-01", "2026-02"]
