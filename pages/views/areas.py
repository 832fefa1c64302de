"""The analyst's pages: sector overview, area detail, thematic views, demand. Thin: parse, check, read, render."""
import hashlib
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.audit import audit_record
from core.exports import csv_response, xlsx_response
from core.models import AuditEvent
from pages import exports
from pages.conditional import conditional_page
from pages.forms import RankingForm, RecordFilterForm, WindowForm
from pages.http import get_only
from pages.selectors.area import area_page, area_window
from pages.selectors.demand import BY_MEASURE_HEADER, demand_rows, demand_table_shared
from pages.selectors.demand import HEADER as DEMAND_HEADER
from pages.selectors.overview import (
    measures_available,
    overview_cached,
    overview_summary_cached,
    ranking_export_rows,
)
from pages.selectors.provenance import provenance
from pages.selectors.ranking_table import ranking_page, sorted_rows
from pages.selectors.records import (
    area_nominal_months,
    area_records,
    linkable_key,
    records_linkable,
    with_weight,
)
from pages.selectors.themes import THEMES, theme_shared, theme_view, theme_window, themes_index
from records.permissions import can_view_records
from scoring.models import CssEdition
from scoring.permissions import access_area, can_see_demand, can_see_rankings


def _require_rankings(user) -> None:
    if not can_see_rankings(user):
        raise Http404("No such page")


def _rankings(request, **_) -> None:
    _require_rankings(request.user)


def _area(request, area_id, **_):
    return access_area(request.user, area_id)


def _area_not_modified(request, etag: str, area_id) -> None:
    """A 304 of an area page stands for the records and contributing items it showed: both reads are
    recorded again, naming the ETag of the response (its own events name it too)."""
    area = access_area(request.user, area_id)
    if not can_view_records(request.user, area):
        return
    for object_type in ("area_records", "area_contributing_records"):
        audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type=object_type, object_id=area.pk,
                     request=request, detail={"params": dict(request.GET.lists()), "not_modified": True,
                                              "etag": etag})


def _area_records(request, area_id, **_) -> None:
    if not can_view_records(request.user, _area(request, area_id)):
        raise Http404("No such area")


def _ranking_form(request, measures=None) -> RankingForm:
    measures = measures_available(user=request.user) if measures is None else measures
    return RankingForm(request.GET or None, measures=measures)


@get_only(_rankings)
@conditional_page(_rankings)
def overview(request):
    """The ranking page. Below its heading it is the same for every user who may read the same areas'
    records and asks the same query, so that body is rendered once per ranking and kept as HTML:
    a warm page loads neither the ranking nor its table (pages.selectors.overview)."""
    _require_rankings(request.user)
    form = _ranking_form(request)
    kwargs = form.ranking_kwargs()
    summary = overview_summary_cached(user=request.user, **kwargs)
    context = {**summary, "form": form, "query": request.GET.urlencode(),
               "provenance": provenance(user=request.user, start=summary["start"], end=summary["end"],
                                        edition=summary["edition"])}
    if summary["end"]:
        linkable = records_linkable(request.user, kwargs["level"])
        body_key = "sectors:overview-body:" + hashlib.sha256(
            f"{summary['cache_key']}|{context['query']}|{linkable_key(linkable)}|"
            f"{context['provenance'].get('data_first')}|{context['provenance'].get('data_last')}".encode()).hexdigest()
        body = cache.get(body_key)
        if body is None:
            data = overview_cached(user=request.user, scores=summary["scores"], **kwargs)
            table = ranking_page(ranking=data["ranking"], table=data["table"], sort=request.GET.get("sort"),
                                 page=request.GET.get("page"), query=dict(request.GET.lists()))
            context.update(data, table=table["rows"], ranking_table=table,
                           keep=[("sort", table["sort"])] if table["sort"] else [], all_records=linkable is None,
                           linkable=linkable or set(), linkable_key=linkable_key(linkable))
            body = render_to_string("sectors/_overview_body.html", context)
            cache.set(body_key, body, settings.PAGE_CACHE_SECONDS)
        context["body"] = mark_safe(body)  # rendered from the template above, escaped there
    else:
        context.update(overview_cached(user=request.user, scores=summary["scores"], **kwargs))  # no rows: small
    return render(request, "sectors/overview.html", context)


@get_only(_rankings)
def overview_export(request):
    _require_rankings(request.user)
    form = _ranking_form(request)
    params = form.ranking_kwargs()
    ranking = overview_cached(user=request.user, **params)["ranking"]  # exactly what the page shows
    # Every row (not the page shown), in the order shown.
    header, rows = ranking_export_rows(replace(ranking, rows=sorted_rows(ranking, request.GET.get("sort"))))
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="ranking",
                 object_id=ranking.level, request=request,
                 detail={"format": "csv", "params": dict(request.GET.lists()), "rows": len(rows),
                         "start": str(ranking.start), "end": str(ranking.end)})
    return csv_response(f"ranking-{ranking.end or 'none'}.csv", header, rows)


def _filters_form(request, measures) -> RecordFilterForm:
    return RecordFilterForm(request.GET or None, measures=measures, user=request.user)


def _filters_detail(filters: dict) -> dict:
    return {key: str(value) for key, value in filters.items()}


@get_only(_area)
@conditional_page(_area, not_modified_audit=_area_not_modified)
def area(request, area_id: int):
    area = request.accessed  # access_area, by conditional_page
    measures = measures_available(user=request.user)
    form, filters_form = _ranking_form(request, measures), _filters_form(request, measures)
    kwargs = {k: v for k, v in form.ranking_kwargs().items() if k != "level"}
    context = area_page(user=request.user, area=area, ranking_kwargs=kwargs, filters=filters_form.filters(),
                        page=request.GET.get("page"), chart_mode=request.GET.get("chart", "total"))
    if context["records"] is not None:
        listed = context["listed"]
        audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="area_records",
                     object_id=area.pk, request=request,
                     detail={"params": dict(request.GET.lists()), "page": context["records"].number,
                             "filters": _filters_detail(filters_form.filters()),
                             "records": listed["records"], "nominal_months": listed["nominal_months"],
                             "groups_and_nominals": bool(context.get("groups")), "etag": request.etag})
    context.update(form=form, filters_form=filters_form, query=_without_page(request),
                   chart_query=_without(request, "page", "chart"),
                   keep_window=_window_params(request), window_months=kwargs["months"],
                   measure_codes=[m.code for m in context["ranking"].measures],
                   provenance=provenance(user=request.user, start=context["start"], end=context["end"],
                                         edition=context["ranking"].edition))
    return render(request, "sectors/area.html", context)


@get_only(_area_records)
def area_records_export(request, area_id: int, fmt: str):
    area = access_area(request.user, area_id)
    if not can_view_records(request.user, area):
        raise Http404("No such area")
    measures = measures_available(user=request.user)
    form = _ranking_form(request, measures)
    window = area_window(**form.window())
    if window is None:
        raise Http404("No scores yet")
    filters = _filters_form(request, measures).filters()
    selection = dict(user=request.user, area=area, start=window[0], end=window[1], filters=filters,
                     measures=_selected(measures, form.ranking_kwargs()["measure_codes"]))
    edition = CssEdition.objects.filter(is_active=True).first()
    qs = with_weight(area_records(**selection, edition=edition), edition)
    nominal_rows = area_nominal_months(**selection) if fmt == "csv" else []
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="area_records",
                 object_id=area.pk, request=request,
                 detail={"format": fmt, "params": dict(request.GET.lists()), "filters": _filters_detail(filters),
                         "nominal_months": len(nominal_rows)})
    name = f"records-{area.code}-{window[0]:%Y-%m}-{window[1]:%Y-%m}.{fmt}"
    return exports.records_csv(name, qs, nominal_rows) if fmt == "csv" else exports.records_geojson(name, qs)


def _selected(measures, codes):
    """The measures a page counts: those named (unknown codes ignored), or the active ones (as the ranking)."""
    return [m for m in measures if m.code in codes] if codes else [m for m in measures if m.is_active]


def _without_page(request) -> str:
    return _without(request, "page")


def _without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _window_params(request) -> list[tuple[str, str]]:
    """The window and measure parameters, kept as hidden fields by the record filter form."""
    return [(key, value) for key in ("months", "end", "measure") for value in request.GET.getlist(key)]


@get_only(_rankings)
@conditional_page(_rankings)
def themes(request):
    _require_rankings(request.user)
    form = WindowForm(request.GET or None)
    window = theme_window(theme=None, **form.window())
    items = themes_index(user=request.user, start=window[0], end=window[1]) if window else []
    return render(request, "sectors/themes.html", {
        "form": form, "items": items, "start": window and window[0], "end": window and window[1],
        "query": request.GET.urlencode(), "window_months": form.window()["months"],
        "provenance": provenance(user=request.user, start=window and window[0], end=window and window[1]),
    })


@get_only(_rankings)
@conditional_page(_rankings)
def theme(request, slug: str):
    _require_rankings(request.user)
    theme = THEMES.get(slug)
    if theme is None:
        raise Http404("No such theme")
    form = WindowForm(request.GET or None)
    window = theme_window(theme=theme, **form.window())
    data = theme_shared(user=request.user, theme=theme, start=window[0], end=window[1],
                        query=request.GET.urlencode()) if window else {}
    return render(request, "sectors/theme.html", {
        **data, "theme": theme, "form": form, "start": window and window[0], "end": window and window[1],
        "window_months": form.window()["months"],
        "provenance": provenance(user=request.user, start=window and window[0], end=window and window[1]),
    })


@get_only(_rankings)
def theme_export(request, slug: str):
    """The theme's table by sector as CSV, for the window shown. Audited."""
    _require_rankings(request.user)
    theme = THEMES.get(slug)
    if theme is None:
        raise Http404("No such theme")
    window = theme_window(theme=theme, **WindowForm(request.GET or None).window())
    if window is None:
        raise Http404("Nothing recorded yet")
    data = theme_view(user=request.user, theme=theme, start=window[0], end=window[1])
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="theme", object_id=slug,
                 request=request, detail={"start": str(window[0]), "end": str(window[1])})
    header = ["sector_code", "sector_name", *data["labels"], "total"]
    rows = ([r["area"]["code"], r["area"]["name"], *r["counts"], r["total"]] for r in data["table"])
    return csv_response(f"{slug}-{window[0]:%Y-%m}-{window[1]:%Y-%m}.csv", header, rows)


def _require_demand(user) -> None:
    if not can_see_demand(user):
        raise Http404("No such page")


def _demand(request, **_) -> None:
    _require_demand(request.user)


def _demand_params(request) -> tuple[RankingForm, tuple | None]:
    form = _ranking_form(request)
    return form, area_window(**form.window())


@get_only(_demand)
@conditional_page(_demand)
def demand(request):
    _require_demand(request.user)
    form, window = _demand_params(request)
    level = form.ranking_kwargs()["level"]
    shared = demand_table_shared(user=request.user, level=level, start=window[0], end=window[1]) if window else {}
    return render(request, "sectors/demand.html", {
        "form": form, "table": shared.get("table"), "table_html": shared.get("html"), "level": level, "start": window and window[0], "end": window and window[1],
        "query": request.GET.urlencode(), "window_months": form.window()["months"],
        "provenance": provenance(user=request.user, start=window and window[0], end=window and window[1],
                                 edition=CssEdition.objects.filter(is_active=True).first()),
    })


@get_only(_demand)
def demand_export(request, fmt: str):
    _require_demand(request.user)
    form, window = _demand_params(request)
    if window is None:
        raise Http404("No scores yet")
    level = form.ranking_kwargs()["level"]
    header = DEMAND_HEADER
    rows = demand_rows(user=request.user, level=level, start=window[0], end=window[1])
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="demand", object_id=level,
                 request=request, detail={"format": fmt, "params": dict(request.GET.lists()),
                                          "start": str(window[0]), "end": str(window[1])})
    name = f"demand-{window[0]:%Y-%m}-{window[1]:%Y-%m}.{fmt}"
    if fmt == "csv":
        return csv_response(name, header, iter(rows))
    by_measure = demand_rows(user=request.user, level=level, start=window[0], end=window[1], by_measure=True)
    return xlsx_response(name, [
        ("by area and month", header, iter(rows)),
        ("by measure", BY_MEASURE_HEADER, by_measure.iterator()),
    ])
