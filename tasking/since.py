"""Pure functions of tasking: a pack's figures then against the same figures now. No database access.

A ranking row here is a dict as a pack's snapshot holds it (``area_id``, ``area_code``,
``area_name``, ``rank``, ``harm``, ``harm_change``, ``significant`` ...): the pack's own rows and
today's rows turned into the same shape, so one comparison serves both.
"""
import math

TOP_N = 10  # "entered or left the top ten": the areas a tasking meeting usually looks at


def json_safe(value):
    """The value with every float that JSON cannot hold (NaN, infinities) as None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def since_rows(then_rows: list[dict], now_rows: list[dict], area_ids: list[int]) -> list[dict]:
    """Each selected area then against now: rank, harm and change, and how each moved.

    ``rank_moved`` is positive when the area moved up towards rank 1 since the pack; an area missing
    from one side (a sector added or retired since) has None there and None moves.
    """
    then = {r["area_id"]: r for r in then_rows}
    now = {r["area_id"]: r for r in now_rows}
    out = []
    for area_id in area_ids:
        before, after = then.get(area_id), now.get(area_id)
        named = before or after or {}
        out.append({
            "area_id": area_id, "area_code": named.get("area_code", ""), "area_name": named.get("area_name", ""),
            "then": before, "now": after,
            "rank_moved": before["rank"] - after["rank"] if before and after else None,
            "harm_moved": after["harm"] - before["harm"] if before and after else None,
        })
    return out


def top_ids(rows: list[dict], n: int = TOP_N) -> list[int]:
    """The areas ranked in the top ``n`` (a shared rank on the edge keeps every area sharing it)."""
    return [r["area_id"] for r in sorted(rows, key=lambda r: (r["rank"], -r["harm"], r["area_name"]))
            if r["rank"] <= n and r["harm"] > 0]


def top_changes(then_rows: list[dict], now_rows: list[dict], n: int = TOP_N) -> dict:
    """The areas that entered the top ``n`` since the pack and those that left it, each with both rows."""
    then, now = {r["area_id"]: r for r in then_rows}, {r["area_id"]: r for r in now_rows}
    top_then, top_now = top_ids(then_rows, n), top_ids(now_rows, n)
    entered = [a for a in top_now if a not in set(top_then)]
    left = [a for a in top_then if a not in set(top_now)]
    return {"n": n,
            "entered": [{"then": then.get(a), "now": now[a]} for a in entered],
            "left": [{"then": then[a], "now": now.get(a)} for a in left]}
