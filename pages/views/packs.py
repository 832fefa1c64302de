"""Tasking packs: the list, preparing one, the frozen pack, since the pack, its exports, and its actions.

Thin: parse, check, call a service or selector, audit, render. Every view of a pack and every export
is audited (the pack holds the top records of its sectors).
"""
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from core.audit import audit_record
from core.models import AuditEvent
from nominals.permissions import can_research
from pages import pack_exports
from pages.forms import RankingForm
from pages.http import allow, get_only
from pages.pack_forms import ActionFilterForm, ActionForm, ActionUpdateForm, PackForm
from pages.selectors.overview import measures_available
from scoring.permissions import can_see_rankings
from scoring.selectors.ranking import ranking
from tasking.permissions import (
    access_action,
    access_pack,
    can_export_pack,
    can_prepare_pack,
    can_see_packs,
)
from tasking.selectors.packs import open_actions, pack_actions, pack_since, pack_view, packs_list, shown_ids
from tasking.services.actions import action_create, action_update
from tasking.services.packs import pack_prepare

PER_PAGE = 25


def _see(request, **_) -> None:
    if not can_see_packs(request.user):
        raise Http404("No such page")


def _prepare(request, **_) -> None:
    if not can_prepare_pack(request.user):
        raise Http404("No such page")


def _pack(request, pack_id, **_):
    return access_pack(request.user, pack_id)


def _since(request, pack_id, **_):
    """Since the pack reads today's ranking: for those who see both packs and rankings."""
    if not can_see_rankings(request.user):
        raise Http404("No such page")
    return access_pack(request.user, pack_id)


def _add_action(request, pack_id, **_):
    _prepare(request)
    return access_pack(request.user, pack_id)


def _export(request, pack_id, **_):
    if not can_export_pack(request.user):
        raise Http404("No such pack")
    return access_pack(request.user, pack_id)


def _errors(form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


@get_only(_see)
def packs(request):
    _see(request)
    page = Paginator(packs_list(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "tasking/packs.html", {
        "page": page, "mine": open_actions(user=request.user, owner_id=request.user.pk),
        "can_prepare": can_prepare_pack(request.user)})


@allow(["GET", "HEAD", "POST"], access=_prepare)
def new(request):
    _prepare(request)
    measures = measures_available(user=request.user)
    window = RankingForm(request.GET or None, measures=measures)
    params = window.ranking_kwargs()
    if request.method == "POST":
        posted = PackForm(request.POST, measures=measures)
        posted.is_valid()  # the window it was prepared for, to list the same ranking again
        params = {"months": posted.cleaned_data.get("months") or 12, "end_month": posted.cleaned_data.get("end"),
                  "measure_codes": posted.cleaned_data.get("measure") or None}
    ranked = ranking(user=request.user, months=params["months"], end_month=params["end_month"],
                     measure_codes=params["measure_codes"])
    form = PackForm(request.POST or None, measures=measures, rows=ranked.rows, initial={
        "months": params["months"], "end": params["end_month"] and f"{params['end_month']:%Y-%m}",
        "measure": params["measure_codes"] or []})
    if request.method == "POST" and form.is_valid():
        try:
            pack = pack_prepare(user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("packs:detail", pack.pk)
    ticked = {int(v) for v in form["areas"].value() or [] if str(v).isdigit()}
    return render(request, "tasking/pack_form.html", {"form": form, "window": window, "ranking": ranked,
                                                      "ticked": ticked})


def _view(request, pack, fmt: str | None = None) -> dict:
    """The pack as this user may see it, audited as a view (or as an export in ``fmt``)."""
    view = pack_view(user=request.user, pack=pack)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT if fmt else AuditEvent.Action.VIEW,
                 object_type="tasking_pack", object_id=pack.pk, request=request,
                 detail={**({"format": fmt} if fmt else {}), **shown_ids(view)})
    return view


@get_only(_pack)
def detail(request, pack_id):
    pack = access_pack(request.user, pack_id)
    view = _view(request, pack)
    actions = pack_actions(user=request.user, pack=pack)
    form = ActionForm(research=can_research(request.user), initial={"area": (view["areas"] or [{}])[0].get(
        "area_id")}) if can_prepare_pack(request.user) else None
    return render(request, "tasking/pack.html", {**view, "actions": actions, "action_form": form,
                                                 "can_export": can_export_pack(request.user),
                                                 "can_compare": can_see_rankings(request.user),
                                                 "can_research": can_research(request.user)})


@get_only(_since)
def since(request, pack_id):
    pack = _since(request, pack_id)
    same = request.GET.get("window") == "same"
    context = pack_since(user=request.user, pack=pack, same_window=same)
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="tasking_pack_since",
                 object_id=pack.pk, request=request, detail={"window": "same" if same else "latest"})
    return render(request, "tasking/pack_since.html", context)


@get_only(_export)
def export(request, pack_id, fmt: str):
    pack = _export(request, pack_id)
    view = _view(request, pack, fmt)
    actions = pack_actions(user=request.user, pack=pack)
    name = f"tasking-pack-{pack.pk}-{pack.meeting_on:%Y-%m-%d}.{fmt}"
    build = pack_exports.pack_pdf if fmt == "pdf" else pack_exports.pack_xlsx
    return build(name, view, actions, can_research(request.user))


@allow(["GET", "HEAD", "POST"], access=_add_action)
def action_new(request, pack_id):
    pack = _add_action(request, pack_id)
    form = ActionForm(request.POST or None, research=can_research(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            action_create(user=request.user, pack=pack, **form.service_kwargs())
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect(f"/tasking/{pack.pk}/#actions")
    return render(request, "tasking/action_form.html", {"form": form, "pack": pack, "action": None})


@get_only(_see)
def actions(request):
    _see(request)
    form = ActionFilterForm(request.GET or None)
    found = open_actions(user=request.user, **form.filters())
    return render(request, "tasking/actions.html", {"form": form, "actions": found,
                                                    "can_research": can_research(request.user)})


def _action(request, action_id, **_):
    return access_action(request.user, action_id)


@allow(["GET", "HEAD", "POST"], access=_action)
def action_edit(request, action_id):
    action = access_action(request.user, action_id)
    form = ActionUpdateForm(request.POST or None, initial=ActionUpdateForm.initial_for(action))
    if request.method == "POST" and form.is_valid():
        try:
            action_update(user=request.user, action=action, **form.service_kwargs())
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect(f"/tasking/{action.pack_id}/#actions")
    return render(request, "tasking/action_form.html", {"form": form, "pack": action.pack, "action": action})
