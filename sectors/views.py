"""The analyst's pages: sector overview, area detail, thematic views, demand. Thin: parse, check, read, render."""
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.audit import audit_record
from portal.models import AuditEvent
from sectors import exports
from sectors.forms import RankingForm, RecordFilterForm
from sectors.permissions import access_area, can_see_rankings, can_view_records
from sectors.selectors.area import area_page
from sectors.selectors.overview import measures_available, overview as overview_data, ranking_export_rows
from sectors.selectors.provenance import provenance
from sectors.selectors.records import area_records, with_weight


def _require_rankings(user) -> None:
    if not can_see_rankings(user):
        raise Http404("No such page")


def _ranking_form(request) -> RankingForm:
    return RankingForm(request.GET or None, measures=measures_available(user=request.user))


@require_GET
def overview(request):
    _require_rankings(request.user)
    form = _ranking_form(request)
    data = overview_data(user=request.user, **form.ranking_kwargs())
    ranking = data["ranking"]
    return render(request, "sectors/overview.html", {
        **data, "form": form, "query": request.GET.urlencode(),
        "provenance": provenance(user=request.user, start=ranking.start, end=ranking.end, edition=ranking.edition),
    })


@require_GET
def overview_export(request):
    _require_rankings(request.user)
    form = _ranking_form(request)
    params = form.ranking_kwargs()
    ranking = overview_data(user=request.user, **params)["ranking"]
    header, rows = ranking_export_rows(ranking)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="ranking",
                 object_id=ranking.level, request=request,
                 detail={"format": "csv", "params": dict(request.GET.lists()), "rows": len(rows),
                         "start": str(ranking.start), "end": str(ranking.end)})
    return exports.csv_response(f"ranking-{ranking.end or 'none'}.csv", header, rows)


@require_GET
def area(request, area_id: int):
    area = access_area(request.user, area_id)
    form = _ranking_form(request)
    filters_form = RecordFilterForm(request.GET or None)
    kwargs = {k: v for k, v in form.ranking_kwargs().items() if k != "level"}
    context = area_page(user=request.user, area=area, ranking_kwargs=kwargs,
                        filters=filters_form.filters(), page=request.GET.get("page"))
    if context["records"] is not None:
        audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="area_records",
                     object_id=area.pk, request=request,
                     detail={"params": dict(request.GET.lists()), "page": context["records"].number,
                             "groups_and_nominals": bool(context.get("groups"))})
    context.update(form=form, filters_form=filters_form, query=_without_page(request),
                   provenance=provenance(user=request.user, start=context["start"], end=context["end"],
                                         edition=context["ranking"].edition))
    return render(request, "sectors/area.html", context)


@require_GET
def area_records_export(request, area_id: int, fmt: str):
    area = access_area(request.user, area_id)
    if not can_view_records(request.user, area):
        raise Http404("No such area")
    form = _ranking_form(request)
    ranking = area_page_window(request, area, form)
    qs = area_records(user=request.user, area=area, start=ranking.start, end=ranking.end,
                      filters=RecordFilterForm(request.GET or None).filters())
    qs = with_weight(qs, ranking.edition)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="area_records",
                 object_id=area.pk, request=request, detail={"format": fmt, "params": dict(request.GET.lists())})
    name = f"records-{area.code}-{ranking.start}-{ranking.end}.{fmt}"
    return exports.records_csv(name, qs) if fmt == "csv" else exports.records_geojson(name, qs)


def area_page_window(request, area, form):
    """The ranking whose window an export of the area's records covers (the page's window)."""
    from sectors.selectors.area import area_summary

    kwargs = {k: v for k, v in form.ranking_kwargs().items() if k != "level"}
    ranking = area_summary(user=request.user, area=area, **kwargs)["ranking"]
    if ranking.start is None:
        raise Http404("No scores yet")
    return ranking


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
