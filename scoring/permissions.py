"""Who may see the scores, and act on the scoring pipeline (permissions named in core.roles)."""
from django.http import Http404

from core import roles
from sectors.models import Area


def _has(user, permission: str) -> bool:
    return user is not None and user.is_authenticated and user.has_perm(permission)


def can_see_rankings(user) -> bool:
    """Rankings, maps, area pages and thematic views of every area (analysts and officers)."""
    return _has(user, roles.RANKINGS)


def can_see_demand(user) -> bool:
    return _has(user, roles.DEMAND)


def can_manage_scoring_runs(user) -> bool:
    """Analysts and administrators see failed scoring runs and may retry them; nobody else learns of them."""
    return _has(user, roles.SCORING_RUNS)


def access_area(user, area_id) -> Area:
    """The area, or 404 for a user who may not see rankings (same as a missing one)."""
    if not can_see_rankings(user):
        raise Http404("No such area")
    try:
        return Area.objects.select_related("parent").get(pk=area_id)
    except (Area.DoesNotExist, ValueError, TypeError):
        raise Http404("No such area") from None
