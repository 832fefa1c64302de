"""Impact: of a set of activities, of one activity, of diversion referrals; and the export. Each view audited.

Thin: parse the choices, check access (a 404 for anyone without tasking.view_impact), call the
selector, audit, render. The numbers and their caveats come from tasking.selectors.
"""
from django.http import Http404
from django.shortcuts import render

from core.audit import audit_record
from core.charts import line_chart
from core.exports import csv_response
from core.models import AuditEvent
from pages.http import get_only
from pages.impact_forms import ActivityImpactForm, ImpactForm, WindowsForm
from tasking.permissions import access_activity, can_see_impact
from tasking.formulas import MIN_ITEMS
from tasking.selectors.impact import CAVEATS, activity_impact
from tasking.selectors.referrals import referral_impact


def _see(request, **_) -> None:
    if not can_see_impact(request.user):
        raise Http404("No such page")


def _see_one(request, activity_id, **_):
    _see(request)
    return access_activity(request.user, activity_id)


def _impact(form, activity_ids: list[int], user):
    """The estimate for the form's choices, or None (a form error when the windows cannot be used)."""
    if not activity_ids:
        return None
    try:
        return activity_impact(user=user, activity_ids=activity_ids, **form.selection())
    except ValueError as exc:
        form.add_error(None, str(exc))
        return None


def _audit(request, object_type: str, impact, action=AuditEvent.Action.VIEW, **detail) -> None:
    if impact is not None and hasattr(impact, "windows"):
        detail.update(activities=[a.pk for a in impact.activities], before=str(impact.windows.before_start),
                      after=str(impact.windows.after_start), months=impact.windows.months,
                      comparison=[a["id"] for a in impact.groups["comparison"].areas])
    audit_record(user=request.user, action=action, object_type=object_type, request=request,
                 detail={"params": dict(request.GET.lists()), **detail})


def _context(form, impact, activity, export_query: str) -> dict:
    estimates = [("Harm", impact.harm), ("Counts", impact.counts), ("Harm, targeted against comparison only",
                  impact.local_harm), ("Counts, targeted against comparison only", impact.local_counts)] \
        if impact else []
    return {"form": form, "impact": impact, "chart": _chart(impact), "activity": activity, "estimates": estimates,
            "export_query": export_query, "caveats": impact.caveats if impact else CAVEATS, "minimum": MIN_ITEMS}


def _chart(impact):
    if impact is None or not impact.monthly:
        return None
    w = impact.windows
    return line_chart(months=[m for m, _, _ in impact.monthly],
                      series=[("Targeted, per sector", [t for _, t, _ in impact.monthly]),
                              ("Comparison, per sector", [c for _, _, c in impact.monthly])],
                      bands=[("before", w.before_start, w.before_end), ("after", w.after_start, w.after_end)])


@get_only(_see)
def overview(request):
    _see(request)
    form = ImpactForm(request.GET or None)
    impact = _impact(form, form.activity_ids(), request.user)
    _audit(request, "impact", impact)
    return render(request, "tasking/impact.html", _context(form, impact, None, request.GET.urlencode()))


@get_only(_see_one)
def for_activity(request, activity_id):
    activity = _see_one(request, activity_id)
    form = ActivityImpactForm(request.GET or None)
    impact = _impact(form, [activity.pk], request.user)
    _audit(request, "impact", impact)
    query = request.GET.copy()
    query.setlist("activities", [str(activity.pk)])
    return render(request, "tasking/impact.html", _context(form, impact, activity, query.urlencode()))


@get_only(_see)
def referrals(request):
    _see(request)
    form = WindowsForm(request.GET or None)
    result = referral_impact(user=request.user, months=form.windows()["months"])
    _audit(request, "impact_referrals", None, months=result.months, schemes=len(result.schemes))
    return render(request, "tasking/impact_referrals.html", {"form": form, "result": result})


EXPORT_HEADER = ["section", "item", "value"]


def export_rows(impact) -> list[list]:
    """The page's figures as (section, item, value) rows: windows, each group, each estimate."""
    w = impact.windows
    rows = [["windows", "months", w.months], ["windows", "before", f"{w.before_start:%Y-%m} to {w.before_end:%Y-%m}"],
            ["windows", "after", f"{w.after_start:%Y-%m} to {w.after_end:%Y-%m}"],
            *(["activities", a.ref, a.title] for a in impact.activities)]
    for g in impact.ordered_groups:
        rows += [[g.label, "areas", "; ".join(a["name"] for a in g.areas)], [g.label, "weight", g.weight]]
        for name, cell in (("before", g.before), ("after", g.after)):
            rows += [[g.label, f"{name} items", cell.count], [g.label, f"{name} harm", cell.harm],
                     [g.label, f"{name} sum of squared weights", cell.harm_sq]]
    for name, e in (("WDD harm", impact.harm), ("WDD counts", impact.counts), ("local harm", impact.local_harm),
                    ("local counts", impact.local_counts)):
        rows += [[name, k, getattr(e, k)] for k in ("value", "variance", "z", "p", "low", "high")]
    rows += [["WDQ harm", "value", impact.wdq], ["WDQ harm", "reading", impact.wdq_reading],
             ["conclusion", "minimum items", impact.minimum], ["conclusion", "verdict", impact.verdict_text],
             *(["caveat", str(i), c] for i, c in enumerate(impact.caveats, start=1)),
             *(["note", str(i), n] for i, n in enumerate(impact.notes, start=1))]
    return rows


@get_only(_see)
def export(request):
    _see(request)
    form = ImpactForm(request.GET or None)
    impact = _impact(form, form.activity_ids(), request.user)
    rows = export_rows(impact) if impact is not None else []  # no activity chosen: the header alone
    _audit(request, "impact", impact, action=AuditEvent.Action.EXPORT, format="csv", rows=len(rows))
    return csv_response("impact.csv", EXPORT_HEADER, rows)
