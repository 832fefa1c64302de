from datetime import date

import pytest

from pages.selectors.themes import THEMES
from pages.tests.html import linked_areas, without_tokens


def test_it_lists_the_themes(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    with django_assert_max_num_queries(16):
        response = client.get("/themes/")
    assert response.status_code == 200
    totals = {item["theme"].slug: item["total"] for item in response.context["items"]}
    assert totals == {"drug-deaths": 1, "firearms": 4, "drug-supply": 35, "partners": 3}
    assert b"<h1>Thematic views</h1>" in response.content


@pytest.mark.parametrize("slug", sorted(THEMES))
def test_it_shows_each_theme(world, officer, login, slug, django_assert_max_num_queries):
    client = login(officer)
    # with the sectors whose records the officer may read, the sectors with any record ("no data")
    # and the months with data (the month picker's bounds); the counts are the scoring run's, and the
    # ETag's stamps are the ones the page's caches are keyed by (read once per request)
    with django_assert_max_num_queries(22):
        response = client.get(f"/themes/{slug}/")
    assert response.status_code == 200
    assert f"<h1>{THEMES[slug].title}</h1>".encode() in response.content
    assert len(response.context["features"]["features"]) == 4


def test_it_counts_by_sector_and_month(world, analyst, login):
    response = login(analyst).get("/themes/firearms/")
    table = {r["area"]["code"]: r["counts"] for r in response.context["table"]}
    assert table["S3"] == [2, 0] and table["S1"] == [0, 2]
    chart = response.context["chart"]
    assert [sum(values) for values in zip(*[r["values"] for r in chart["rows"]])] == [2, 2]
    assert b"<svg" in response.content


def test_it_answers_404_for_an_unknown_theme(world, analyst, login):
    assert login(analyst).get("/themes/nothing/").status_code == 404


def test_it_says_what_to_do_without_data(db, analyst, login):
    response = login(analyst).get("/themes/drug-deaths/")
    assert response.status_code == 200
    assert b"upload" in response.content


def test_it_exports_the_table_shown_and_audits_it(world, analyst, login, django_assert_max_num_queries):
    from core.models import AuditEvent

    client = login(analyst)
    shown = client.get("/themes/firearms/").context["table"]
    with django_assert_max_num_queries(18):
        response = client.get("/themes/firearms/export.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("sector_code,sector_name,")
    assert [line.split(",")[0] for line in lines[1:]] == [r["area"]["code"] for r in shown]
    assert AuditEvent.objects.filter(action="export", object_type="theme", object_id="firearms").exists()




@pytest.mark.parametrize("slug", sorted(THEMES))
def test_its_stored_counts_equal_the_records(world, analyst, slug):
    """The theme reads the counts the scoring run stored: each cell is what counting the records gives."""
    from django.db.models import Q

    from pages.selectors.themes import theme_view
    from records.models import Record

    start, end = date(2024, 1, 1), date(2024, 12, 1)
    data = theme_view(user=analyst, theme=THEMES[slug], start=start, end=end)
    located = Q(area__isnull=False) | Q(sector__isnull=False) | Q(command__isnull=False)
    for row in data["table"]:
        assert row["counts"] == [
            Record.objects.filter(located, sector_id=row["area"]["id"], month__gte=start, month__lte=end,
                                  kind=params["kind"], **({params["flag"]: True} if params["flag"] else {})).count()
            for _, _, params in THEMES[slug].series]
    assert data["total"] == sum(
        Record.objects.filter(located, month__gte=start, month__lte=end, kind=params["kind"],
                              **({params["flag"]: True} if params["flag"] else {})).count()
        for _, _, params in THEMES[slug].series)


def test_a_warm_theme_page_is_the_cold_one_without_computing_it(world, analyst, login,
                                                               django_assert_max_num_queries):
    client = login(analyst)
    cold = client.get("/themes/firearms/?months=12")
    with django_assert_max_num_queries(14):
        warm = client.get("/themes/firearms/?months=12")
    assert "table" in cold.context and "table" not in warm.context  # the body came from the cache as HTML
    assert without_tokens(warm) == without_tokens(cold) and 'id="theme-features"' in without_tokens(warm)
    assert "?months=12" in without_tokens(warm)  # the export keeps the query it was rendered for


def test_the_cached_theme_is_kept_apart_by_the_sectors_a_user_may_read(world, analyst, officer, login):
    from records.permissions import area_records_grant
    from sectors.models import Area

    s3 = Area.objects.get(code="S3")
    area_records_grant(user=officer, area=s3, granted_by=analyst)
    analyst_links = linked_areas(login(analyst).get("/themes/firearms/"))
    officer_links = linked_areas(login(officer).get("/themes/firearms/"))
    assert analyst_links > {s3.pk} and officer_links == {s3.pk}
