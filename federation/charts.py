"""Server-side SVG charts for console pages: horizontal stacked bars and monthly stacked columns.

The charts are built with ElementTree, so every label is escaped and the output is well-formed
XML. Each chart has a ``title`` and a ``desc`` referenced by ``aria-labelledby``. Pages show the
same numbers in a table under the chart for readers who cannot see it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# Colour-blind-safe qualitative palette of Okabe and Ito (2008), then four colours of Paul Tol's
# "muted" scheme; series past the twelfth repeat colours.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
FONT = "font-family:system-ui,sans-serif;font-size:12px"
WIDTH = 720
# An estimate of the mean width of a character at FONT's size, used to place legend entries.
CHARACTER_WIDTH = 7.0
LABEL_CHARACTERS = 30
LEGEND_ROW = 18


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar: a series name and its value."""

    series: str
    value: int


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]

    @property
    def total(self) -> int:
        return sum(segment.value for segment in self.segments)


@dataclass(frozen=True)
class Chart:
    """The content of one chart. ``chart_id`` prefixes element ids, so it is unique per page."""

    chart_id: str
    title: str
    description: str
    bars: Sequence[Bar]
    series: Sequence[str]


def _svg(chart: Chart, height: int) -> ET.Element:
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "class": "chart",
            "style": FONT,
        },
    )
    ET.SubElement(svg, "title", {"id": title_id}).text = chart.title
    ET.SubElement(svg, "desc", {"id": desc_id}).text = chart.description
    return svg


def _text(parent: ET.Element, x: float, y: float, text: str, anchor: str = "start") -> None:
    attributes = {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor, "fill": "#222"}
    ET.SubElement(parent, "text", attributes).text = text


def _colour(chart: Chart, series: str) -> str:
    return PALETTE[chart.series.index(series) % len(PALETTE)]


def _label(text: str, limit: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _legend_positions(chart: Chart) -> list[tuple[float, float]]:
    """Place one legend entry per series, wrapping to a new row when the width is used up."""
    positions, x, y = [], 8.0, 18.0
    for series in chart.series:
        width = 28 + CHARACTER_WIDTH * len(_label(series))
        if x > 8 and x + width > WIDTH:
            x, y = 8.0, y + LEGEND_ROW
        positions.append((x, y))
        x += width
    return positions


def _legend(svg: ET.Element, chart: Chart) -> None:
    positions = _legend_positions(chart)
    for series, (x, y) in zip(chart.series, positions, strict=True):
        square = {"x": f"{x:.1f}", "y": f"{y - 10:.1f}", "width": "12", "height": "12"}
        ET.SubElement(svg, "rect", {**square, "fill": _colour(chart, series)})
        _text(svg, x + 16, y, _label(series))


def _scale(bars: Sequence[Bar]) -> int:
    """Return a round maximum for the value axis, at least 1."""
    largest = max((bar.total for bar in bars), default=0)
    if largest <= 1:
        return 1
    step = int(10 ** int(math.log10(largest)))
    return math.ceil(largest / step) * step


def horizontal_bars(chart: Chart) -> str:
    """Render one stacked horizontal bar per label, with its total written after it."""
    row, label_width = 24, 230
    top = 14 + LEGEND_ROW * len({y for _, y in _legend_positions(chart)})
    height = top + row * max(len(chart.bars), 1) + 12
    svg = _svg(chart, height)
    _legend(svg, chart)
    maximum = _scale(chart.bars)
    plot = WIDTH - label_width - 60
    for index, bar in enumerate(chart.bars):
        y = top + index * row
        _text(svg, label_width - 8, y + 15, _label(bar.label), anchor="end")
        x = float(label_width)
        for segment in bar.segments:
            width = plot * segment.value / maximum
            if width > 0:
                ET.SubElement(
                    svg,
                    "rect",
                    {
                        "x": f"{x:.1f}",
                        "y": f"{y + 3:.1f}",
                        "width": f"{width:.1f}",
                        "height": str(row - 6),
                        "fill": _colour(chart, segment.series),
                    },
                )
            x += width
        _text(svg, x + 6, y + 15, str(bar.total))
    return ET.tostring(svg, encoding="unicode")


def monthly_columns(chart: Chart) -> str:
    """Render one stacked column per month (the bar labels), with a value axis on the left."""
    bottom, left, plot_height = 40, 48, 220
    top = 22 + LEGEND_ROW * len({y for _, y in _legend_positions(chart)})
    height = top + plot_height + bottom
    svg = _svg(chart, height)
    _legend(svg, chart)
    maximum = _scale(chart.bars)
    slot = (WIDTH - left - 8) / max(len(chart.bars), 1)
    for tick in (0, maximum / 2, maximum):
        y = top + plot_height * (1 - tick / maximum)
        ET.SubElement(
            svg,
            "line",
            {
                "x1": str(left),
                "x2": str(WIDTH - 8),
                "y1": f"{y:.1f}",
                "y2": f"{y:.1f}",
                "stroke": "#ccc",
            },
        )
        _text(svg, left - 6, y + 4, f"{tick:g}", anchor="end")
    for index, bar in enumerate(chart.bars):
        x = left + index * slot + slot * 0.15
        y = float(top + plot_height)
        for segment in bar.segments:
            bar_height = plot_height * segment.value / maximum
            if bar_height > 0:
                y -= bar_height
                ET.SubElement(
                    svg,
                    "rect",
                    {
                        "x": f"{x:.1f}",
                        "y": f"{y:.1f}",
                        "width": f"{slot * 0.7:.1f}",
                        "height": f"{bar_height:.1f}",
                        "fill": _colour(chart, segment.series),
                    },
                )
        _text(svg, x + slot * 0.35, height - bottom + 16, bar.label, anchor="middle")
    return ET.tostring(svg, encoding="unicode")
