"""Geometry of the server-rendered SVG line charts (pure: no database, no request)."""
from datetime import date

PALETTE = ["#0b4f8a", "#a50f15", "#1b6e2a", "#8a4b00", "#5b2a86"]
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


def line_chart(*, months: list[date], series: list[tuple[str, list[float]]]) -> dict | None:
    """Lines of ``series`` (label, one value per month) over ``months``: coordinates ready for the template."""
    if not months or not series:
        return None
    top = _nice_max(max((max(values) if values else 0) for _, values in series))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(months) - 1)

    def xy(i, v):
        return round(LEFT + i * step, 1), round(TOP + inner_h * (1 - v / top), 1)

    lines = []
    for n, (label, values) in enumerate(series):
        points = [xy(i, v) for i, v in enumerate(values)]
        lines.append({"label": label, "colour": PALETTE[n % len(PALETTE)], "points": points,
                      "path": " ".join(f"{x},{y}" for x, y in points)})
    every = max(1, len(months) // 8)
    x_ticks = [{"x": xy(i, 0)[0], "label": m.strftime("%b %y")} for i, m in enumerate(months) if i % every == 0]
    y_ticks = [{"y": xy(0, top * f)[1], "label": _label(top * f)} for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
            "bottom": HEIGHT - BOTTOM, "lines": lines, "x_ticks": x_ticks, "y_ticks": y_ticks,
            "rows": [{"month": m, "values": [values[i] for _, values in series]} for i, m in enumerate(months)],
            "labels": [label for label, _ in series]}
