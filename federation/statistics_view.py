"""Charts of the statistics page, built from ``statistics.AllianceStatistics``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from federation.charts import Bar, Chart, Segment, horizontal_bars, monthly_columns
from federation.statistics import AllianceStatistics, Series
from hub.i18n import translate

# The badge chart shows the most awarded badges; the table under it lists every badge.
TOP_BADGES = 15


@dataclass(frozen=True)
class RenderedChart:
    chart_id: str
    title: str
    svg: str


def _status_series(language: str) -> tuple[str, str]:
    return translate(language, "fedstats.active"), translate(language, "fedstats.revoked")


def _status_bars(rows: Sequence[Series], language: str) -> list[Bar]:
    """Build one bar per row, split into credentials not revoked and revoked."""
    active, revoked = _status_series(language)
    return [
        Bar(
            series.label(language),
            (
                Segment(active, series.total.issued - series.total.revoked),
                Segment(revoked, series.total.revoked),
            ),
        )
        for series in rows
    ]


def member_chart(numbers: AllianceStatistics, language: str) -> RenderedChart:
    bars = _status_bars(numbers.members, language)
    title = translate(language, "fedstats.per_member")
    description = translate(
        language, "fedstats.per_member_desc", issued=numbers.total.issued, members=len(bars)
    )
    chart = Chart("per-member", title, description, bars, _status_series(language))
    return RenderedChart(chart.chart_id, title, horizontal_bars(chart))


def month_chart(numbers: AllianceStatistics, language: str) -> RenderedChart:
    names = [series.label(language) for series in numbers.members]
    bars = [
        Bar(
            month,
            [
                Segment(series.label(language), series.month(month).issued)
                for series in numbers.members
            ],
        )
        for month in numbers.months
    ]
    title = translate(language, "fedstats.per_month")
    shown = sum(numbers.monthly[month].issued for month in numbers.months)
    description = translate(
        language,
        "fedstats.per_month_desc",
        issued=shown,
        first=numbers.months[0],
        last=numbers.months[-1],
    )
    chart = Chart("per-month", title, description, bars, names)
    return RenderedChart(chart.chart_id, title, monthly_columns(chart))


def badge_chart(numbers: AllianceStatistics, language: str) -> RenderedChart:
    bars = _status_bars(numbers.badges[:TOP_BADGES], language)
    title = translate(language, "fedstats.per_badge", count=len(bars))
    description = translate(language, "fedstats.per_badge_desc", badges=len(numbers.badges))
    chart = Chart("per-badge", title, description, bars, _status_series(language))
    return RenderedChart(chart.chart_id, title, horizontal_bars(chart))


def statistics_charts(numbers: AllianceStatistics, language: str) -> dict[str, RenderedChart]:
    return {
        "members": member_chart(numbers, language),
        "months": month_chart(numbers, language),
        "badges": badge_chart(numbers, language),
    }
