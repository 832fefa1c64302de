from django.http import Http404
from django.shortcuts import render

from core.charts import line_chart
from nominals.models import GroupType
from nominals.permissions import access_group, access_nominal, can_research
from pages.forms import NominalSearchForm
from pages.http import get_only
from pages.selectors.maps import footprint_map
from pages.selectors.nominals import (
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


@get_only(_research)
def groups(request):
    group_type = request.GET.get("type", "")
    rows = groups_list(user=request.user, group_type=group_type if group_type in GroupType.values else "")
    search = NominalSearchForm(request.GET)
    query = search.query()
    return render(request, "nominals/groups.html", {
        "groups": rows, "group_types": GroupType.choices, "group_type": group_type,
        "nominals": nominals_search(user=request.user, query=query, request=request), "q": query, "search": search,
    })


@get_only(lambda request, group_id: access_group(request.user, group_id))
def group_detail(request, group_id):
    profile = group_profile(user=request.user, group_id=group_id, request=request)
    return render(request, "nominals/group.html", {"p": profile, "chart": _chart(profile.monthly),
                                                   "footprint_map": footprint_map(profile.footprint)})


@get_only(lambda request, nominal_id: access_nominal(request.user, nominal_id))
def nominal_detail(request, nominal_id):
    profile = nominal_profile(user=request.user, nominal_id=nominal_id, request=request)
    return render(request, "nominals/nominal.html", {"p": profile, "chart": _chart(profile.monthly)})
