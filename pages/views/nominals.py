from django.http import Http404
from django.shortcuts import render

from core.charts import line_chart
from nominals.models import GroupType
from nominals.permissions import access_group, access_nominal, can_research
from pages.forms import NominalSearchForm, WindowForm
from pages.http import get_only
from pages.selectors.area import area_window
from pages.selectors.maps import footprint_map
from tasking.permissions import can_see_activities
from tasking.selectors.activities import activities_for_group, activities_for_nominal
from pages.selectors.nominals import (
    GROUP_SORTS,
    group_profile,
    groups_list,
    nominal_profile,
    nominals_search,
)


def _chart(monthly):
    if not monthly:
        return None
    return line_chart(months=[m for m, _, _ in monthly], series=[("Harm", [h for _, h, _ in monthly])])


def _research(request, **_) -> None:
    if not can_research(request.user):
        raise Http404


def _window(request) -> tuple[WindowForm, tuple | None]:
    form = WindowForm(request.GET or None)
    return form, area_window(**form.window())


@get_only(_research)
def groups(request):
    group_type = request.GET.get("type", "")
    form, window = _window(request)
    sort = request.GET.get("sort", "harm")
    rows = groups_list(user=request.user, group_type=group_type if group_type in GroupType.values else "",
                       start=window and window[0], end=window and window[1], sort=sort)
    search = NominalSearchForm(request.GET)
    query = search.query()
    return render(request, "nominals/groups.html", {
        "groups": rows, "group_types": GroupType.choices, "group_type": group_type, "form": form,
        "start": window and window[0], "end": window and window[1], "window_months": form.window()["months"],
        "sort": sort if sort in GROUP_SORTS else "harm",
        "nominals": nominals_search(user=request.user, query=query, request=request), "q": query, "search": search,
    })


@get_only(lambda request, group_id: access_group(request.user, group_id))
def group_detail(request, group_id):
    form, window = _window(request)
    profile = group_profile(user=request.user, group_id=group_id, request=request,
                            start=window and window[0], end=window and window[1])
    return render(request, "nominals/group.html", {
        "p": profile, "chart": _chart(profile.monthly), "form": form, "window_months": form.window()["months"],
        "start": window and window[0], "end": window and window[1], "footprint_map": footprint_map(profile.window),
        "activities": activities_for_group(user=request.user, group_id=profile.group.pk)
        if can_see_activities(request.user) else None})


@get_only(lambda request, nominal_id: access_nominal(request.user, nominal_id))
def nominal_detail(request, nominal_id):
    form, window = _window(request)
    profile = nominal_profile(user=request.user, nominal_id=nominal_id, request=request,
                              start=window and window[0], end=window and window[1])
    return render(request, "nominals/nominal.html", {
        "p": profile, "chart": _chart(profile.monthly), "form": form, "window_months": form.window()["months"],
        "start": window and window[0], "end": window and window[1],
        "activities": activities_for_nominal(user=request.user, nominal_id=profile.nominal.pk)
        if can_see_activities(request.user) else None})
