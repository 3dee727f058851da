"""The timeline above the results: the search's histogram as bars to draw in inline SVG."""

from __future__ import annotations

from dataclasses import dataclass

from search.timeline import period_range
from web.params import SearchForm

CHART_HEIGHT = 48  # SVG units; the chart is scaled to the column's width by CSS
BAR_WIDTH = 10
BAR_GAP = 2
MIN_BAR = 2  # a period with any hit stays visible beside the largest


@dataclass(frozen=True)
class Bar:
    period: str
    count: int
    x: int
    y: float
    height: float
    href: str | None  # arguments narrowing the search to the period; None for an empty one
    label: str


def timeline_bars(histogram: list[dict], form: SearchForm, url_for) -> list[Bar]:
    """Return one bar per period; ``url_for(**args)`` builds a search link."""
    top = max((item["count"] for item in histogram), default=0)
    bars = []
    for i, item in enumerate(histogram):
        period, count = item["period"], item["count"]
        height = max(MIN_BAR, CHART_HEIGHT * count / top) if count else 0
        since, until = period_range(period)
        href = url_for(**form.args(since=since, until=until)) if count else None
        noun = "article" if count == 1 else "articles"
        bars.append(
            Bar(
                period,
                count,
                i * (BAR_WIDTH + BAR_GAP),
                CHART_HEIGHT - height,
                height,
                href,
                f"{period}: {count} {noun}",
            )
        )
    return bars


def chart_width(bars: list[Bar]) -> int:
    return max(len(bars) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, BAR_WIDTH)
