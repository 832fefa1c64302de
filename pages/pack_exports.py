"""A tasking pack as XLSX (core.exports' safe writer) and as PDF (reportlab), from the pack's view.

Both are built from pack_view's result, so they hold exactly what the pack page shows the same user:
the frozen figures, the top records only where the user may read them, and the actions as they
stand now (the one part of a meeting that changes afterwards).
"""
import io
from xml.sax.saxutils import escape

from django.http import HttpResponse
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.exports import xlsx_response

RANKING_HEADER = ["rank", "previous_rank", "rank_change", "area_code", "area_name", "selected", "harm",
                  "previous_harm", "harm_change", "harm_z", "harm_change_significant", "items", "previous_items",
                  "count_p", "count_change_significant", "dominant"]


def _yes(value) -> str:
    return "yes" if value else "no"


def pack_facts(view: dict) -> list[tuple[str, str]]:
    """What the pack is: the meeting, who prepared it when, the data it holds and how it was counted."""
    pack, window, as_of = view["pack"], view["window"], view["data_as_of"]
    return [
        ("Title", pack.title), ("Meeting", f"{pack.meeting_on:%d %B %Y}"),
        ("Prepared", f"{pack.prepared_at:%d %B %Y %H:%M} by {pack.prepared_by or 'a former user'}"),
        ("Data as of", f"scoring run {as_of['run_id']}, finished {as_of['finished_at'] or 'never'}"),
        ("CSS edition", f"{view['edition']['label']} ({view['edition']['code']})"),
        ("Window", f"{window['start']:%B %Y} to {window['end']:%B %Y} ({window['months']} months)"),
        ("Compared with", f"{window['previous_start']:%B %Y} to {window['previous_end']:%B %Y}"),
        ("Measures", ", ".join(m["name"] for m in view["measures"])),
    ]


def ranking_rows(view: dict) -> list[list]:
    codes = [m["code"] for m in view["measures"]]
    return [[r["rank"], r["previous_rank"], r["rank_change"], r["area_code"], r["area_name"], _yes(r["selected"]),
             r["harm"], r["previous_harm"], r["harm_change"], r["z"], _yes(r["significant"]), r["count"],
             r["previous_count"], r["count_p"], _yes(r["count_significant"]), r["dominant"],
             *[r["contributions"].get(c, 0.0) for c in codes]] for r in view["ranking"]]


def _top_rows(view: dict) -> list[list]:
    return [[a["code"], i.measure_name, i.item_type, i.ref, i.kind, i.occurred_on and i.occurred_on.isoformat(),
             f"{i.offence_code} {i.offence_description}".strip(), i.weight, i.weighting, i.months, i.harm]
            for a in view["areas"] for i in (a["top"] or [])]


def _action_rows(actions, research: bool) -> list[list]:
    return [[a.description, a.area.name if a.area else "", (a.group.ref if research else "a group") if a.group else "",
             a.owner.get_username() if a.owner else a.owner_organisation.name, a.due_on.isoformat(),
             a.get_status_display(), ", ".join(x.ref for x in a.activities.all())] for a in actions]


def pack_xlsx(name: str, view: dict, actions, research: bool) -> HttpResponse:
    measures = view["measures"]
    breakdown = [[a["code"], a["name"], b["code"], b["name"], b["count"], b["harm"], b["previous_count"],
                  b["previous_harm"], b["change"]] for a in view["areas"] for b in a["breakdown"]]
    return xlsx_response(name, [
        ("pack", ["field", "value"], pack_facts(view)),
        ("ranking", RANKING_HEADER + [f"harm_{m['code']}" for m in measures], ranking_rows(view)),
        ("selected sectors", ["area_code", "area_name", "measure_code", "measure_name", "count", "harm",
                              "previous_count", "previous_harm", "change"], breakdown),
        ("top records", ["area_code", "measure", "item_type", "ref", "kind", "date", "offence", "weight",
                         "weighting", "months", "harm"], _top_rows(view)),
        ("actions", ["description", "area", "group", "owner", "due", "status", "activities"],
         _action_rows(actions, research)),
    ])


_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("FONTSIZE", (0, 0), (-1, -1), 7.5), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _table(header: list, rows: list[list]) -> Table:
    table = Table([header, *rows], repeatRows=1, hAlign="LEFT")
    table.setStyle(_GRID)
    return table


def _n(value, places: int = 1) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def _area_story(area: dict, styles) -> list:
    row = area["row"]
    story = [Paragraph(escape(f"{area['name']} ({area['code']}): rank {row['rank']}"), styles["Heading3"]),
             Paragraph(escape(f"SOC harm {_n(row['harm'])} (previous period {_n(row['previous_harm'])}, change "
                              f"{_n(row['harm_change'])}: {'significant' if row['significant'] else 'within chance'}, "
                              f"z {_n(row['z'], 2)}); items {row['count']} (previous {row['previous_count']}: "
                              f"{'significant' if row['count_significant'] else 'within chance'})."),
                       styles["BodyText"])]
    if area["dominant_words"]:
        story.append(Paragraph(escape(f"One {area['dominant']['kind']} carries at least half of this harm: "
                                      f"{area['dominant_words']}."), styles["BodyText"]))
    story.append(_table(["Measure", "Count", "Harm", "Previous", "Change"], [
        [b["name"], b["count"], _n(b["harm"]), _n(b["previous_harm"]), _n(b["change"])] for b in area["breakdown"]]))
    if area["top"]:
        story += [Spacer(1, 2 * mm), _table(["Measure", "Item", "Date", "Offence", "Weight", "Months", "Harm"], [
            [i.measure_name, f"{i.kind} {i.ref}", i.occurred_on and f"{i.occurred_on:%d %b %Y}" or "–",
             f"{i.offence_code} {i.offence_description}".strip(), _n(i.weight), i.months, _n(i.harm)]
            for i in area["top"]])]
    elif not area["records_allowed"]:
        story.append(Paragraph("Top records are not shown: you have not been granted this sector's records.",
                               styles["BodyText"]))
    return story


def pack_pdf(name: str, view: dict, actions, research: bool) -> HttpResponse:
    styles = getSampleStyleSheet()
    pack = view["pack"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=pack.title, author="SOC harm portal",
                            subject=f"Tasking pack, meeting {pack.meeting_on:%d %B %Y}",
                            leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm)
    story = [Paragraph(escape(pack.title), styles["Title"]),
             _table(["", ""], [[k, Paragraph(escape(v), styles["BodyText"])] for k, v in pack_facts(view)]),
             Paragraph("Ranking of the sectors (selected sectors marked)", styles["Heading2"]),
             _table(["Rank", "Change", "Sector", "Selected", "SOC harm", "Previous", "Harm change", "Items",
                     "Significant"],
                    [[r["rank"], f"{r['rank_change']:+d}", r["area_name"], _yes(r["selected"]), _n(r["harm"]),
                      _n(r["previous_harm"]), _n(r["harm_change"]), r["count"],
                      _yes(r["significant"])] for r in view["ranking"]]),
             Paragraph("Selected sectors", styles["Heading2"])]
    for area in view["areas"]:
        story.append(KeepTogether(_area_story(area, styles)))
        story.append(Spacer(1, 4 * mm))
    story.append(Paragraph("Actions (as they stand now)", styles["Heading2"]))
    rows = _action_rows(actions, research)
    story.append(_table(["Action", "Area", "Group", "Owner", "Due", "Status", "Activities"], rows) if rows
                 else Paragraph("No actions recorded.", styles["BodyText"]))
    doc.build(story)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
