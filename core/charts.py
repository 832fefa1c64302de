"""Geometry of the server-rendered SVG line charts (pure: no database, no request)."""
from datetime import date

from core.months import months_between

PALETTE = ["#0b4f8a", "#a50f15", "#1b6e2a", "#8a4b00", "#5b2a86", "#00727a", "#c2185b", "#5d6d00", "#4e5d6c",
           "#d45500"]
BAND_FILLS = ["#dce9f5", "#efe7da"]  # the window, then the comparison period (light: the lines stay legible)
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 36


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _label(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def fill_months(monthly: list[tuple], first: date | None = None, last: date | None = None) -> list[tuple]:
    """``monthly`` rows (month, value, ...) on a continuous month axis: a row of zeros for every month missing.

    The axis runs from ``first`` (default: the first month given) to ``last``
    (default: the last one), so the x distance between two points is always
    the time between them and no line crosses an empty month.
    """
    if not monthly and (first is None or last is None):
        return []
    given = {row[0]: row for row in monthly}
    width = len(monthly[0]) if monthly else 3
    first = first or min(given)
    last = last or max(given)
    return [given.get(month) or (month, 0.0, *([0] * (width - 2))) for month in months_between(first, last)]


def line_chart(*, months: list[date], series: list[tuple[str, list[float]]], stacked: bool = False,
               bands: list[tuple[str, date, date]] = ()) -> dict | None:
    """Lines of ``series`` (label, one value per month) over ``months``: coordinates ready for the template.

    ``stacked``: each series is an area on top of the ones before it (the top
    line is their sum). ``bands``: (label, first month, last month) periods
    shaded behind the lines, clipped to the months shown; a band covers each
    of its months by half a step either side, so a one-month band is visible.
    """
    if not months or not series:
        return None
    n = len(months)
    if stacked:
        running = [0.0] * n
        layers = []
        for label, values in series:
            lower = list(running)
            running = [a + b for a, b in zip(running, values)]
            layers.append((label, values, lower, list(running)))
        top = _nice_max(max(running))
    else:
        layers = [(label, values, None, values) for label, values in series]
        top = _nice_max(max((max(values) if values else 0) for _, values in series))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, n - 1)

    def x_of(i):
        return round(LEFT + i * step, 1)

    def y_of(v):
        return round(TOP + inner_h * (1 - v / top), 1)

    def xy(i, v):
        return x_of(i), y_of(v)

    lines = []
    for k, (label, values, lower, upper) in enumerate(layers):
        points = [xy(i, v) for i, v in enumerate(upper)]
        line = {"label": label, "colour": PALETTE[k % len(PALETTE)], "points": points,
                "path": " ".join(f"{x},{y}" for x, y in points), "area": ""}
        if lower is not None:
            under = [xy(i, v) for i, v in reversed(list(enumerate(lower)))]
            line["area"] = " ".join(f"{x},{y}" for x, y in points + under)
        lines.append(line)
    index = {m: i for i, m in enumerate(months)}
    shaded = []
    for label, first, last in bands:
        inside = [index[m] for m in months_between(first, last) if m in index] if first and last else []
        if not inside:
            continue
        x1 = max(LEFT, x_of(inside[0]) - step / 2) if n > 1 else LEFT
        x2 = min(WIDTH - RIGHT, x_of(inside[-1]) + step / 2) if n > 1 else WIDTH - RIGHT
        shaded.append({"label": label, "x": round(x1, 1), "width": round(x2 - x1, 1), "first": first,
                       "last": last, "fill": BAND_FILLS[len(shaded) % len(BAND_FILLS)]})
    every = max(1, n // 8)
    x_ticks = [{"x": x_of(i), "label": m.strftime("%b %y")} for i, m in enumerate(months) if i % every == 0]
    y_ticks = [{"y": y_of(top * f), "label": _label(top * f)} for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
            "bottom": HEIGHT - BOTTOM, "plot_height": HEIGHT - BOTTOM - TOP, "lines": lines, "bands": shaded,
            "stacked": stacked, "x_ticks": x_ticks, "y_ticks": y_ticks,
            "rows": [{"month": m, "values": [values[i] for _, values in series]} for i, m in enumerate(months)],
            "labels": [label for label, _ in series]}


ROW = 16  # the height of one activity's bar on a timeline


def timeline(*, months: list[date], items: list[tuple[str, date, date]]) -> dict | None:
    """Bars of ``items`` (label, first day, last day) on the month axis of ``line_chart(months=...)``.

    Each bar covers its months by half a step either side, as the chart's bands do, clipped to the
    months shown; an item wholly outside them is left out. One row per item, in the order given.
    """
    if not months or not items:
        return None
    n = len(months)
    inner_w = WIDTH - LEFT - RIGHT
    step = inner_w / max(1, n - 1)
    index = {m: i for i, m in enumerate(months)}
    bars = []
    for label, first, last in items:
        inside = [index[m] for m in months_between(first.replace(day=1), last.replace(day=1)) if m in index]
        if not inside:
            continue
        x1 = max(LEFT, LEFT + inside[0] * step - step / 2) if n > 1 else LEFT
        x2 = min(WIDTH - RIGHT, LEFT + inside[-1] * step + step / 2) if n > 1 else WIDTH - RIGHT
        bars.append({"label": label, "x": round(x1, 1), "width": round(max(2.0, x2 - x1), 1),
                     "y": len(bars) * ROW + 4, "first": first, "last": last})
    if not bars:
        return None
    return {"width": WIDTH, "height": len(bars) * ROW + 8, "bars": bars, "row": ROW - 4}
