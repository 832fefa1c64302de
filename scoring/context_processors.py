"""What every page shows about the scoring pipeline: failed runs, to the people who can act on them."""
from datetime import date

from scoring.permissions import can_manage_scoring_runs
from scoring.services.runs import scoring_runs_failed

SHOWN = 5


def _month_label(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%b %Y")


def scope_label(scope: dict) -> str:
    """What a run recomputes, in words: "every area and month", "3 areas, Jan 2023 to Mar 2023"."""
    if not scope:
        return "every area and month"
    areas = len(scope.get("area_ids") or [])
    months = sorted(scope.get("months") or [])
    parts = [f"{areas} area{'s' if areas != 1 else ''}" if areas else "every area"]
    if months:
        first, last = _month_label(months[0]), _month_label(months[-1])
        parts.append(first if first == last else f"{first} to {last}")
    return ", ".join(parts)


def failed_scoring_runs(request) -> dict:
    """``failed_scoring_runs`` for the banner in base.html: analysts and administrators only."""
    if not can_manage_scoring_runs(getattr(request, "user", None)):
        return {}
    runs = list(scoring_runs_failed()[:SHOWN])
    for run in runs:
        run.scope_label = scope_label(run.scope)
    return {"failed_scoring_runs": runs}
