"""Reads of activities. Each takes the user: nobody without ACTIVITIES sees any activity.

An activity shows wherever its targets are related: on the sectors it targets, on their command and
on the force (and an activity on a command shows on its sectors too).
"""
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from core.models import Organisation
from sectors.models import Area
from sectors.selectors import areas_around
from tasking.models import Activity, ActivityKind, POLICE_KINDS
from tasking.permissions import can_see_activities


def _base(user) -> QuerySet:
    if not can_see_activities(user):
        return Activity.objects.none()
    return Activity.objects.select_related("organisation")


def _with_areas(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(Prefetch("areas", queryset=Area.objects.only("id", "code", "name", "level")))


def activities_visible(*, user, kind: str = "", organisation_id: int | None = None, area: Area | None = None,
                       start: date | None = None, end: date | None = None) -> QuerySet:
    """The register: every activity the user may see, filtered; ``start``/``end``: overlapping that period."""
    qs = _base(user)
    if kind:
        qs = qs.filter(kind=kind)
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if area is not None:
        qs = qs.filter(id__in=Activity.areas.through.objects.filter(area_id__in=areas_around([area.pk]))
                       .values("activity_id"))
    if start is not None:
        qs = qs.filter(ended_on__gte=start)
    if end is not None:
        qs = qs.filter(started_on__lte=end)
    return _with_areas(qs.order_by("-started_on", "ref"))


def activities_for_area(*, user, area: Area, start: date | None = None, end: date | None = None) -> list[Activity]:
    """The activities on the area, above it or below it, oldest first (the timeline's order); 2 queries."""
    if not can_see_activities(user):
        return []
    return list(activities_visible(user=user, area=area, start=start, end=end).prefetch_related(None)
                .order_by("started_on", "ref"))


def activities_for_group(*, user, group_id: int) -> list[Activity]:
    return list(_with_areas(_base(user).filter(groups__id=group_id)).order_by("-started_on", "ref"))


def activities_for_nominal(*, user, nominal_id: int) -> list[Activity]:
    """Activities linked to the nominal directly (those on their groups are on the group's profile)."""
    return list(_with_areas(_base(user).filter(nominals__id=nominal_id)).order_by("-started_on", "ref"))


def is_police(activity: Activity) -> bool:
    return activity.kind in POLICE_KINDS


KIND_CHOICES = ActivityKind.choices


def kind_filter(value: str) -> str:
    return value if value in ActivityKind.values else ""


def organisations_with_activities() -> list[tuple[int, str]]:
    return list(Organisation.objects.filter(Q(kind="force") | Q(activities__isnull=False)).distinct()
                .order_by("name").values_list("id", "name"))
