import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.models import AuditEvent


def test_it_tabulates_harm_by_area_and_month(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    # with the areas' ids, for the links to their records, and the months with data (the month picker's bounds)
    with django_assert_max_num_queries(20):
        response = client.get("/demand/")
    assert response.status_code == 200
    table = response.context["table"]
    assert len(table["months"]) == 12 and table["rows"][0]["code"] == "S2"
    assert table["harm"] == pytest.approx(sum(r.harm for r in client.get("/sectors/").context["ranking"].rows))


def test_it_shares_the_table_between_analysts_until_the_next_run(world, analyst, login,
                                                                django_assert_num_queries):
    from django.core.cache import cache
    from scoring.services import scores_recompute

    client = login(analyst)
    with CaptureQueriesContext(connection) as cold:
        computed = client.get("/demand/").context["table"]
    with django_assert_num_queries(12):  # the table and its HTML come from the cache: no totals or areas read
        warm = client.get("/demand/")
    assert warm.context["table"] == computed
    assert str(warm.context["table_html"]) in warm.content.decode()
    assert len(cold) > 13 and any("scoring_totalscore" in q["sql"] for q in cold.captured_queries)
    cache.clear()
    assert client.get("/demand/").context["table"] == computed  # equal to a fresh computation
    from records.models import Record
    Record.objects.filter(sector__code="S2").delete()
    scores_recompute()
    assert client.get("/demand/").context["table"]["harm"] < computed["harm"]


def test_it_exports_csv_and_xlsx(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    with django_assert_max_num_queries(12):  # 3 of them the audit event
        response = client.get("/demand/export.csv?level=1&months=12")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["area_code"] for r in rows} == {"C1", "C2"}
    assert {r["month"] for r in rows} <= {f"2024-{m:02d}-01" for m in range(1, 13)}
    with django_assert_max_num_queries(12):
        response = client.get("/demand/export.xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["by area and month", "by measure"]
    assert next(book["by measure"].iter_rows(values_only=True)) == (
        "area_code", "area_name", "month", "measure", "harm", "count")
    assert AuditEvent.objects.filter(action="export", object_type="demand").count() == 2


def test_it_says_what_to_do_without_scores(db, analyst, login):
    response = login(analyst).get("/demand/")
    assert b"No scores yet" in response.content


def test_it_shares_the_rendered_table_only_between_users_with_the_same_record_links(world, analyst, officer, login):
    from django.contrib.auth.models import Permission

    from core import roles
    from pages.selectors.demand import demand_table
    from records.permissions import area_records_grant

    app, codename = roles.DEMAND.split(".")
    officer.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    area_records_grant(user=officer, area=world.sectors["S1"], granted_by=analyst)
    as_analyst = login(analyst).get("/demand/")
    as_officer = login(officer).get("/demand/")
    assert as_officer.status_code == as_analyst.status_code == 200
    assert as_officer.context["table_html"] != as_analyst.context["table_html"]
    linked = {row["code"] for row in as_officer.context["table"]["rows"] if row["link"]}
    assert linked == {"S1"}
    fresh = demand_table(user=officer, level=2, start=as_officer.context["start"], end=as_officer.context["end"])
    assert as_officer.context["table"] == fresh
