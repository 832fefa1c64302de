"""The activity register, an activity's page, and the form that records one. Thin: parse, check, call, render."""
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from nominals.permissions import can_research
from pages.activity_forms import ActivityFilterForm, ActivityForm
from pages.http import allow, get_only
from tasking.permissions import access_activity, can_record_activity, can_see_activities
from tasking.selectors.activities import activities_visible
from tasking.services.activities import activity_create, activity_update

PER_PAGE = 50


def _see(request, **_) -> None:
    if not can_see_activities(request.user):
        raise Http404("No such page")


def _record(request, **_) -> None:
    if not can_record_activity(request.user):
        raise Http404("No such page")


def _record_one(request, activity_id, **_):
    _record(request)
    return access_activity(request.user, activity_id)


@get_only(_see)
def register(request):
    _see(request)
    form = ActivityFilterForm(request.GET or None)
    qs = activities_visible(user=request.user, **form.filters())
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(request, "tasking/activities.html", {
        "form": form, "page": page, "query": keep.urlencode(), "can_record": can_record_activity(request.user)})


@get_only(lambda request, activity_id: access_activity(request.user, activity_id))
def detail(request, activity_id):
    activity = access_activity(request.user, activity_id)
    return render(request, "tasking/activity.html", {
        "activity": activity, "areas": list(activity.areas.order_by("level", "name")),
        "groups": list(activity.groups.all()) if can_research(request.user) else None,
        "nominals": list(activity.nominals.all()) if can_research(request.user) else None,
        "can_record": can_record_activity(request.user)})


def _save(request, form: ActivityForm, activity=None):
    if not form.is_valid():
        return None
    try:
        if activity is None:
            return activity_create(user=request.user, ref=form.cleaned_data["ref"], **form.service_kwargs())
        return activity_update(user=request.user, activity=activity, **form.service_kwargs())
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return None


@allow(["GET", "HEAD", "POST"], access=_record)
def new(request):
    _record(request)
    form = ActivityForm(request.POST or None)
    saved = _save(request, form) if request.method == "POST" else None
    if saved is not None:
        return redirect("activities:detail", saved.pk)
    return render(request, "tasking/activity_form.html", {"form": form, "activity": None})


@allow(["GET", "HEAD", "POST"], access=_record_one)
def edit(request, activity_id):
    activity = _record_one(request, activity_id)
    form = ActivityForm(request.POST or None, initial=ActivityForm.initial_for(activity))
    form.fields["ref"].disabled = True  # the key of uploads: never changed
    if request.method == "POST":
        saved = _save(request, form, activity)
        if saved is not None:
            return redirect("activities:detail", saved.pk)
    return render(request, "tasking/activity_form.html", {"form": form, "activity": activity})
