from datetime import date

import pytest

from core.charts import HEIGHT, LEFT, RIGHT, WIDTH, fill_months, line_chart

MONTHS = [date(2024, m, 1) for m in range(1, 7)]


def _xs(chart):
    return [x for x, _ in chart["lines"][0]["points"]]


def test_it_spaces_the_months_evenly_from_edge_to_edge():
    chart = line_chart(months=MONTHS, series=[("a", [1, 2, 3, 4, 5, 6])])
    xs = _xs(chart)
    assert xs[0] == LEFT and xs[-1] == WIDTH - RIGHT
    steps = {round(b - a, 1) for a, b in zip(xs, xs[1:])}
    assert len(steps) == 1


def test_it_puts_zero_on_the_baseline_and_the_top_of_the_scale_at_the_top():
    chart = line_chart(months=MONTHS[:2], series=[("a", [0, 100])])
    (_, y0), (_, y1) = chart["lines"][0]["points"]
    assert y0 == chart["bottom"] and y1 == chart["top"]


def test_it_shades_each_band_half_a_step_either_side_of_its_months():
    chart = line_chart(months=MONTHS, series=[("a", [1] * 6)],
                       bands=[("window", date(2024, 4, 1), date(2024, 6, 1)),
                              ("comparison period", date(2024, 1, 1), date(2024, 3, 1))])
    xs, step = _xs(chart), _xs(chart)[1] - _xs(chart)[0]
    window, comparison = chart["bands"]
    assert window["label"] == "window" and window["fill"] != comparison["fill"]
    assert window["x"] == pytest.approx(xs[3] - step / 2, abs=0.1)
    assert window["x"] + window["width"] == pytest.approx(WIDTH - RIGHT, abs=0.1)  # clipped at the edge
    assert comparison["x"] == LEFT
    assert comparison["x"] + comparison["width"] == pytest.approx(window["x"], abs=0.1)  # they meet, no overlap


def test_it_clips_a_band_to_the_months_shown_and_drops_one_outside_them():
    chart = line_chart(months=MONTHS, series=[("a", [1] * 6)],
                       bands=[("window", date(2024, 5, 1), date(2025, 3, 1)),
                              ("comparison period", date(2023, 1, 1), date(2023, 6, 1))])
    assert [b["label"] for b in chart["bands"]] == ["window"]
    band = chart["bands"][0]
    assert band["first"] == date(2024, 5, 1) and band["x"] + band["width"] <= WIDTH - RIGHT


def test_it_stacks_series_so_the_top_line_is_their_sum():
    a, b = [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]
    stacked = line_chart(months=MONTHS, series=[("a", a), ("b", b)], stacked=True)
    flat = line_chart(months=MONTHS, series=[("sum", [x + y for x, y in zip(a, b)])])
    assert stacked["lines"][1]["points"] == flat["lines"][0]["points"]
    # Each layer is a closed area between the series below it and itself.
    first = stacked["lines"][0]["area"].split()
    assert len(first) == 12 and first[-1].split(",")[1] == str(float(stacked["bottom"]))
    assert stacked["rows"][0]["values"] == [1, 6]  # the table keeps each series' own values


def test_it_draws_lines_without_areas_when_not_stacked():
    chart = line_chart(months=MONTHS, series=[("a", [1] * 6), ("b", [2] * 6)])
    assert [line["area"] for line in chart["lines"]] == ["", ""]
    assert chart["lines"][0]["colour"] != chart["lines"][1]["colour"]
    assert chart["height"] == HEIGHT


def test_it_fills_the_months_without_records_with_zeros():
    rows = [(date(2024, 1, 1), 5.0, 1), (date(2024, 4, 1), 7.0, 2)]
    assert fill_months(rows) == [(date(2024, 1, 1), 5.0, 1), (date(2024, 2, 1), 0.0, 0),
                                 (date(2024, 3, 1), 0.0, 0), (date(2024, 4, 1), 7.0, 2)]
    assert fill_months(rows, date(2023, 12, 1), date(2024, 5, 1))[0] == (date(2023, 12, 1), 0.0, 0)
    assert len(fill_months(rows, date(2023, 12, 1), date(2024, 5, 1))) == 6
    assert fill_months([]) == []


def test_it_places_months_by_time_once_filled():
    rows = fill_months([(date(2024, 1, 1), 5.0, 1), (date(2024, 2, 1), 5.0, 1), (date(2024, 6, 1), 5.0, 1)])
    chart = line_chart(months=[m for m, _, _ in rows], series=[("a", [h for _, h, _ in rows])])
    xs = _xs(chart)
    # February to June is four times January to February; and the line drops to zero between them.
    assert xs[5] - xs[1] == pytest.approx(4 * (xs[1] - xs[0]), abs=0.5)
    assert chart["lines"][0]["points"][3][1] == chart["bottom"]
