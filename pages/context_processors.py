"""What every page's template knows: the user's roles, and failed scoring runs for those who can act on them."""
from datetime import date

from django.conf import settings

from core import roles
from core.permissions import can_audit
from ingestion.permissions import can_use_uploads
from nominals.permissions import can_research
from scoring.permissions import (
    can_manage_scoring_runs,
    can_see_demand,
    can_see_rankings,
)
from scoring.services.runs import scoring_runs_failed
from tasking.permissions import can_see_activities, can_see_impact, can_see_packs

SHOWN = 5


def role_flags(request):
    """What the navigation offers: each flag is the permission check of the page it links to."""
    user = getattr(request, "user", None)
    return {
        "user_roles": sorted(roles.roles_of(user)),
        "can_rank": can_see_rankings(user),
        "can_research": can_research(user),
        "can_upload": can_use_uploads(user),
        "can_see_all_uploads": bool(user and user.is_authenticated and user.has_perm(roles.ALL_UPLOADS)),
        "can_see_demand": can_see_demand(user),
        "can_audit": can_audit(user),
        "can_see_activities": can_see_activities(user),
        "can_see_packs": can_see_packs(user),
        "can_see_impact": can_see_impact(user),
        "can_administer": bool(user and user.is_authenticated and user.is_staff),
        "demo_mode": settings.DEMO_MODE,
    }


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
