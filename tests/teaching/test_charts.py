"""The server-side SVG charts: accessible, escaped, with their numbers in a table."""

import re

import pytest

from teaching.charts import HEIGHT, MARGIN_BOTTOM, MARGIN_TOP, bar_chart, histogram


def chart(**overrides):
    options = {
        "title": "Activity",
        "x_labels": ["1 Dec", "2 Dec", "3 Dec"],
        "y_label": "per day",
    }
    options.update(overrides)
    series = options.pop("series", [("Submissions", [1, 4, 0]), ("Quiz attempts", [2, 0, 3])])
    return str(bar_chart(series, **options))


def test_the_svg_is_an_image_labelled_by_its_title():
    svg = chart()
    match = re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^" ]+)', svg)
    assert match
    assert f'<title id="{match.group(1)}">Activity</title>' in svg


def test_it_draws_one_bar_per_value_and_series():
    assert chart().count('<rect class="chart-bar') == 6


def test_a_taller_value_draws_a_taller_bar():
    heights = [
        float(h)
        for h in re.findall(r'class="chart-bar chart-series-1"[^>]*height="([\d.]+)"', chart())
    ]
    assert heights[1] > heights[0] > heights[2] == 0


def test_the_second_series_is_hatched_not_only_coloured():
    svg = chart()
    assert re.search(
        r'class="chart-bar chart-series-2"[^>]*fill="url\(#chart-[0-9a-f]+-hatch\)"', svg
    )


def test_the_numbers_are_in_a_data_table():
    svg = chart()
    assert "<caption>Activity</caption>" in svg
    assert '<tr><th scope="row">2 Dec</th><td>4</td><td>0</td></tr>' in svg


def test_the_legend_names_every_series():
    svg = chart()
    assert "Submissions</li>" in svg
    assert "Quiz attempts</li>" in svg


def test_every_text_is_escaped():
    svg = chart(
        title="<script>alert(1)</script>",
        x_labels=["<b>", "&", '"q"'],
        series=[("<img src=x onerror=alert(1)>", [1, 2, 3])],
    )
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="has 2 values for"):
        chart(series=[("Submissions", [1, 2])])


def test_an_empty_chart_still_renders():
    svg = chart(series=[("Submissions", [0, 0, 0])])
    assert 'role="img"' in svg


def test_a_histogram_counts_values_per_bin():
    svg = str(
        histogram(
            [0.0, 0.1, 0.55, 1.0, 1.0],
            title="Scores",
            bins=2,
            x_label="score",
            y_label="students",
            low=0,
            high=1,
        )
    )
    assert '<th scope="row">0–0.5</th><td>2</td>' in svg
    # The top of the range falls in the last bin.
    assert '<th scope="row">0.5–1</th><td>3</td>' in svg


def test_a_histogram_ignores_values_outside_its_range():
    svg = str(
        histogram([-1, 0.5, 2], title="Scores", bins=1, x_label="score", y_label="n", low=0, high=1)
    )
    assert '<th scope="row">0–1</th><td>1</td>' in svg


def _ticks(html: str) -> list[str]:
    """The y axis' tick labels (right-aligned against the axis)."""
    return re.findall(r'class="chart-tick"[^>]*text-anchor="end">([^<]*)<', str(html))


def test_counts_never_get_a_fractional_tick():
    for highest in (1, 3, 7, 9, 15):
        html = bar_chart([("students", [highest])], title="t", x_labels=["a"], y_label="students",
                         counts=True)  # fmt: skip
        ticks = _ticks(html)
        assert all(tick.isdigit() for tick in ticks), (highest, ticks)
        assert int(ticks[-1]) >= highest


def test_a_share_is_drawn_against_the_whole():
    html = bar_chart([("% right", [50])], title="t", x_labels=["Q1"], y_label="%", y_max=100)
    assert _ticks(html) == ["0", "50", "100"]
    heights = re.findall(r'class="chart-bar chart-series-1"[^>]*height="([\d.]+)"', str(html))
    assert float(heights[0]) == pytest.approx(0.5 * (HEIGHT - MARGIN_TOP - MARGIN_BOTTOM), abs=0.1)
