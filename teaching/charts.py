"""Small server-rendered SVG charts for the instructor pages.

Shared by every page in `teaching/` (the cohort dashboard, and the per-exercise and
per-quiz pages may import it too), so the API stays small:

    bar_chart(series, *, title, x_labels, y_label, x_label="") -> SafeString
    histogram(values, *, title, bins, x_label, y_label, low=None, high=None) -> SafeString

`series` is a list of `(name, values)` pairs, one value per x label; two or more series
are drawn as grouped bars, told apart by fill *and* pattern, not colour alone.

Each chart is a `<figure>` holding an `<svg role="img">` labelled by its `<title>` and a
`<desc>` summary, a legend in text, and the numbers as a `<table>` inside `<details>`, the
fallback for screen readers and for anyone who wants the exact figures. Every piece of
text (titles, labels, series names) is escaped here: callers may pass user content. No
JavaScript; style hooks are the `chart-*` classes in static/css/teaching.css.
"""

import hashlib
import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_RIGHT = 8
MARGIN_TOP = 12
MARGIN_BOTTOM = 44
# At most this many x labels are printed under the axis; the table has all of them.
MAX_X_TICKS = 10


def _number(value: float) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_max(value: float, *, counts: bool = False) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten).
    For counts it is even and at least 2, so the half-way tick is a whole number too:
    a chart of students never shows "0.5 students"."""
    if counts:
        value = max(2.0, value)
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    steps = (2, 4, 6, 8, 10) if counts and power == 1 else (1, 2, 2.5, 5, 10)
    if counts and power > 1:
        steps = (1, 2, 4, 6, 8, 10)
    for step in steps:
        if value <= step * power:
            return step * power
    return 10 * power


def _chart_id(title: str, x_labels: Sequence[str]) -> str:
    digest = hashlib.sha1(f"{title}|{'|'.join(map(str, x_labels))}".encode()).hexdigest()
    return f"chart-{digest[:10]}"


class _Plot:
    """The geometry of one bar chart: where a value or a slot lands in the SVG."""

    def __init__(
        self, series, x_labels: list[str], chart_id: str, *, counts: bool, y_max: float | None
    ):
        self.series = series
        self.x_labels = x_labels
        self.chart_id = chart_id
        highest = max((v for _, values in series for v in values), default=0)
        if y_max is not None and highest <= y_max:
            self.top = y_max  # a share's axis is the whole: 50% fills half of it
        else:
            self.top = _nice_max(highest, counts=counts)
        self.plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        self.plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        self.slot = self.plot_w / max(1, len(x_labels))
        self.bar_w = max(1.0, self.slot * 0.8 / max(1, len(series)))

    def y(self, value: float) -> float:
        return MARGIN_TOP + self.plot_h - self.plot_h * value / self.top

    def hatch(self) -> SafeString:
        # A hatch for the second series, so two series differ by more than colour.
        return format_html(
            '<defs><pattern id="{}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" class="chart-hatch-bg"/>'
            '<line x1="0" y1="0" x2="0" y2="6" class="chart-hatch-line"/></pattern></defs>',
            self.chart_id,
        )

    def grid(self) -> list[SafeString]:
        lines = []
        for fraction in (0, 0.5, 1):
            value = self.top * fraction
            lines.append(
                format_html(
                    '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                    '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                    MARGIN_LEFT,
                    WIDTH - MARGIN_RIGHT,
                    f"{self.y(value):.1f}",
                    f"{self.y(value):.1f}",
                    MARGIN_LEFT - 4,
                    f"{self.y(value) + 4:.1f}",
                    _number(value),
                )
            )
        return lines

    def bars(self) -> list[SafeString]:
        bars = []
        for index, (name, values) in enumerate(self.series):
            fill = f"url(#{self.chart_id}-hatch)" if index % 2 else ""
            for position, value in enumerate(values):
                x = MARGIN_LEFT + position * self.slot + self.slot * 0.1 + index * self.bar_w
                bars.append(
                    format_html(
                        '<rect class="chart-bar chart-series-{}" x="{}" y="{}" width="{}" '
                        'height="{}"{}><title>{}: {} {}</title></rect>',
                        index + 1,
                        f"{x:.1f}",
                        f"{self.y(value):.1f}",
                        f"{self.bar_w:.1f}",
                        f"{MARGIN_TOP + self.plot_h - self.y(value):.1f}",
                        format_html(' fill="{}"', fill) if fill else "",
                        self.x_labels[position],
                        _number(value),
                        name,
                    )
                )
        return bars

    def x_ticks(self) -> list[SafeString]:
        every = max(1, math.ceil(len(self.x_labels) / MAX_X_TICKS))
        return [
            format_html(
                '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{MARGIN_LEFT + (position + 0.5) * self.slot:.1f}",
                HEIGHT - MARGIN_BOTTOM + 16,
                label,
            )
            for position, label in enumerate(self.x_labels)
            if not position % every
        ]

    def axis(self, y_label: str) -> SafeString:
        bottom = MARGIN_TOP + self.plot_h
        return format_html(
            '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-axis-label" x="12" y="{}" text-anchor="middle" '
            'transform="rotate(-90 12 {})">{}</text>',
            MARGIN_LEFT,
            WIDTH - MARGIN_RIGHT,
            bottom,
            bottom,
            MARGIN_TOP + self.plot_h / 2,
            MARGIN_TOP + self.plot_h / 2,
            y_label,
        )


def bar_chart(
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    x_labels: Sequence[str],
    y_label: str,
    x_label: str = "",
    counts: bool = False,
    y_max: float | None = None,
) -> SafeString:
    """Grouped bars: one group per x label, one bar per series. ``counts``: the values are
    whole numbers (ticks stay whole); ``y_max``: the axis always reaches it (100 for a
    percentage)."""
    x_labels = [str(label) for label in x_labels]
    series = [(str(name), [float(v or 0) for v in values]) for name, values in series]
    for name, values in series:
        if len(values) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(x_labels)} labels")
    chart_id = _chart_id(title, x_labels)
    plot = _Plot(series, x_labels, chart_id, counts=counts, y_max=y_max)
    parts = [plot.hatch(), *plot.grid(), *plot.bars(), *plot.x_ticks(), plot.axis(y_label)]
    totals = ", ".join(f"{name}: {_number(sum(values))} in total" for name, values in series)
    summary = (
        f"{len(x_labels)} {y_label} bars from {x_labels[0]} to {x_labels[-1]}; " if x_labels else ""
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}{}. The numbers are in the table below.</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        summary,
        totals,
        # Every part was built with format_html, so joining them keeps them escaped.
        mark_safe("".join(parts)),
    )
    legend = format_html_join(
        "",
        '<li><span class="chart-swatch chart-series-{}{}" aria-hidden="true"></span>{}</li>',
        ((i + 1, " chart-hatched" if i % 2 else "", name) for i, (name, _) in enumerate(series)),
    )
    return format_html(
        '<figure class="chart-figure" id="{}"><figcaption>{}</figcaption>{}'
        '<ul class="chart-legend">{}</ul>{}</figure>',
        chart_id,
        title,
        svg,
        legend,
        _table(series, title=title, x_labels=x_labels, x_label=x_label),
    )


def _table(series, *, title: str, x_labels: Sequence[str], x_label: str) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((name,) for name, _ in series))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                label,
                format_html_join(
                    "", "<td>{}</td>", ((_number(values[i]),) for _, values in series)
                ),
            )
            for i, label in enumerate(x_labels)
        ),
    )
    return format_html(
        '<details class="chart-data"><summary>Data table</summary>'
        '<table><caption>{}</caption><thead><tr><th scope="col">{}</th>{}</tr></thead>'
        "<tbody>{}</tbody></table></details>",
        title,
        x_label,
        head,
        rows,
    )


def histogram(
    values: Sequence[float],
    *,
    title: str,
    bins: int,
    x_label: str,
    y_label: str,
    low: float | None = None,
    high: float | None = None,
) -> SafeString:
    """Counts of `values` in `bins` equal bins from `low` to `high` (by default the
    values' own range); a value equal to `high` falls in the last bin."""
    values = [float(v) for v in values if v is not None]
    if bins < 1:
        raise ValueError("a histogram needs at least one bin")
    low = min(values, default=0.0) if low is None else float(low)
    high = max(values, default=1.0) if high is None else float(high)
    if high <= low:
        high = low + 1.0
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        if low <= value <= high:
            counts[min(bins - 1, int((value - low) / width))] += 1
    labels = [f"{_number(low + i * width)}–{_number(low + (i + 1) * width)}" for i in range(bins)]
    return bar_chart(
        [(y_label, counts)],
        title=title,
        x_labels=labels,
        y_label=y_label,
        x_label=x_label,
        counts=True,
    )
