from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from nominals.models import GroupType
from pages.selectors.nominals import group_profile, groups_list, nominal_profile, nominals_search
from core.charts import line_chart


def _chart(monthly):
    if not monthly:
        return None
    return line_chart(months=[m for m, _, _ in monthly], series=[("Harm", [h for _, h, _ in monthly])])


@login_required
def groups(request):
    group_type = request.GET.get("type", "")
    rows = groups_list(user=request.user, group_type=group_type if group_type in GroupType.values else "")
    return render(request, "nominals/groups.html", {
        "groups": rows, "group_types": GroupType.choices, "group_type": group_type,
        "nominals": nominals_search(user=request.user, query=request.GET.get("q", "").strip()[:50]),
        "q": request.GET.get("q", ""),
    })


@login_required
def group_detail(request, group_id):
    profile = group_profile(user=request.user, group_id=group_id, request=request)
    return render(request, "nominals/group.html", {"p": profile, "chart": _chart(profile.monthly)})


@login_required
def nominal_detail(request, nominal_id):
    profile = nominal_profile(user=request.user, nominal_id=nominal_id, request=request)
    return render(request, "nominals/nominal.html", {"p": profile, "chart": _chart(profile.monthly)})
