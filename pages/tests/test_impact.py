"""The impact pages: an activity's estimate with its caveats, the choices, referrals, the audited export."""
import csv
import io
from datetime import date

import pytest

from core.models import AuditEvent
from nominals.models import DiversionReferral
from tasking import formulas
from tests.factories import ActivityFactory, NominalFactory
from tests.impact_world import build_row


@pytest.fixture
def row(db):
    return build_row()


def test_the_activity_page_links_its_impact_for_those_who_may(row, analyst, officer, login):
    client = login(analyst)
    link = f'href="/activities/{row.activity.pk}/impact/"'
    assert link in client.get(f"/activities/{row.activity.pk}/").content.decode()
    client = login(officer)
    assert link not in client.get(f"/activities/{row.activity.pk}/").content.decode()


def test_an_activity_impact_shows_the_estimate_the_groups_and_the_caveats(row, governance, login,
                                                                          django_assert_max_num_queries):
    client = login(governance)
    with django_assert_max_num_queries(30):
        response = client.get(f"/activities/{row.activity.pk}/impact/", {"comparisons": 3})
    impact = response.context["impact"]
    body = response.content.decode()
    assert impact.verdict == formulas.FELL and formulas.VERDICTS[formulas.FELL] in body
    assert [a["name"] for a in impact.groups["comparison"].areas] == ["Sector 3", "Sector 4", "Sector 6"]
    assert "Regression to the mean" in body and "No random assignment" in body and "Small numbers" in body
    assert f"{impact.harm.value:.1f}" in body.replace(",", "")
    assert 'id="impact-groups"' in body and 'id="impact-chart-title"' in body
    event = AuditEvent.objects.filter(object_type="impact", action="view").latest("id")
    assert event.username == "governance" and event.detail["activities"] == [row.activity.pk]


def test_the_user_chooses_windows_and_comparison_sectors(row, analyst, login):
    s = row.sectors
    response = login(analyst).get("/impact/", {
        "activities": [row.activity.pk], "months": 3, "before_start": "2023-04", "after_start": "2023-08",
        "comparison": [s["S5"].pk, s["S1"].pk]})
    impact = response.context["impact"]
    assert (impact.windows.before_start, impact.windows.after_end) == (date(2023, 4, 1), date(2023, 10, 1))
    assert impact.comparison_given and [a["code"] for a in impact.groups["comparison"].areas] == ["S5"]
    assert "Sector 1" in impact.notes[0] and impact.notes[0] in response.content.decode()


def test_windows_that_overlap_are_refused_in_words(row, analyst, login):
    response = login(analyst).get("/impact/", {"activities": [row.activity.pk], "months": 6,
                                               "before_start": "2023-04", "after_start": "2023-06"})
    assert response.context["impact"] is None
    assert "must start after the before window ends" in response.content.decode()


def test_few_items_give_no_conclusion(db, analyst, login):
    row = build_row()
    quiet = ActivityFactory(ref="OP-QUIET", started_on=date(2023, 7, 1), ended_on=date(2023, 7, 1),
                            areas=[row.sectors["S7"]])
    response = login(analyst).get(f"/activities/{quiet.pk}/impact/")
    assert response.context["impact"].verdict == formulas.TOO_FEW
    assert formulas.VERDICTS[formulas.TOO_FEW] in response.content.decode()


def test_the_export_holds_the_page_figures_and_is_audited(row, analyst, login):
    response = login(analyst).get("/impact/export.csv", {"activities": [row.activity.pk], "comparisons": 3})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    figures = {(section, item): value for section, item, value in rows[1:]}
    page = login(analyst).get("/impact/", {"activities": [row.activity.pk], "comparisons": 3}).context["impact"]
    assert float(figures[("WDD harm", "value")]) == pytest.approx(page.harm.value)
    assert float(figures[("targeted areas", "before harm")]) == pytest.approx(page.groups["target"].before.harm)
    assert figures[("conclusion", "verdict")] == page.verdict_text
    event = AuditEvent.objects.get(object_type="impact", action="export")
    assert event.detail["rows"] == len(rows) - 1 and event.detail["activities"] == [row.activity.pk]


def test_the_referrals_page_shows_schemes_without_naming_anyone(row, governance, login):
    person = NominalFactory(ref="N-SECRET-REF", name="Someone Named")
    DiversionReferral.objects.create(ref="D1", nominal=person, scheme="Mentoring", referred_on=date(2023, 5, 5))
    response = login(governance).get("/impact/referrals/")
    body = response.content.decode()
    (scheme,) = response.context["result"].schemes
    assert scheme.scheme == "Mentoring" and scheme.referrals == 1 and scheme.verdict == formulas.TOO_FEW
    assert "N-SECRET-REF" not in body and "Someone Named" not in body
    assert "Regression to the mean" in body
    assert AuditEvent.objects.filter(object_type="impact_referrals", username="governance").exists()
