import csv
import io

import pytest

from core.models import AuditEvent
from pages.tests.html import linked_areas, without_tokens


def _rows(response):
    return response.context["ranking"].rows


def test_it_ranks_sectors_by_harm(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    # one of them the areas with any record, for "no data"; the force's monthly trend and the months with data
    with django_assert_max_num_queries(27):
        response = client.get("/sectors/")
    assert response.status_code == 200
    assert [r.area_code for r in _rows(response)][:3] == ["S2", "S1", "S3"]
    html = response.content.decode()
    assert "<h1>Sectors ranked by SOC harm</h1>" in html
    assert 'id="overview-features"' in html and "leaflet" in html
    assert response.context["features"]["features"].__len__() == 4
    assert "synthetic" in html


def test_it_shows_the_overview_to_officers(world, officer, login):
    response = login(officer).get("/sectors/")
    assert response.status_code == 200
    assert _rows(response)[0].area_code == "S2"


def test_it_switches_level(world, analyst, login):
    response = login(analyst).get("/sectors/?level=3")
    assert {r.area_code for r in _rows(response)} >= {"S2N0", "S1N0"}
    assert len(response.context["features"]["features"]) == 8
    assert login(analyst).get("/sectors/?level=1").context["ranking"].rows[0].area_code == "C1"


def test_it_reranks_by_the_chosen_measures(world, analyst, login):
    response = login(analyst).get("/sectors/?measure=drug-related-deaths")
    assert _rows(response)[0].area_code == "S3"
    assert [m.code for m in response.context["ranking"].measures] == ["drug-related-deaths"]


def test_it_takes_the_window(world, analyst, login):
    response = login(analyst).get("/sectors/?months=3&end=2024-06")
    ranking = response.context["ranking"]
    assert (ranking.start.isoformat(), ranking.end.isoformat()) == ("2024-04-01", "2024-06-01")


def test_it_survives_bad_parameters(world, analyst, login):
    response = login(analyst).get("/sectors/?months=7&end=banana&level=9")
    assert response.status_code == 200
    assert response.context["ranking"].level == 2
    assert b"not understood" in response.content


def test_it_says_what_to_do_without_scores(db, analyst, login):
    response = login(analyst).get("/sectors/")
    assert response.status_code == 200
    assert b"No scores yet: upload data" in response.content


def test_it_exports_exactly_the_table(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    shown = _rows(client.get("/sectors/?months=6&measure=drug-supply&measure=cannabis-farms"))
    with django_assert_max_num_queries(14):
        response = client.get("/sectors/export.csv?months=6&measure=drug-supply&measure=cannabis-farms")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["area_code"] for r in rows] == [r.area_code for r in shown]
    assert list(rows[0])[-2:] == ["harm_drug-supply", "harm_cannabis-farms"]
    assert float(rows[0]["harm"]) == pytest.approx(shown[0].harm, abs=0.01)
    event = AuditEvent.objects.get(action="export")
    assert event.username == "analyst" and event.object_type == "ranking"
    assert event.detail["params"]["measure"] == ["drug-supply", "cannabis-farms"]


def _table_codes(response):
    return [item["row"].area_code for item in response.context["table"]]


def test_it_shows_a_small_ranking_whole_and_sortable_in_the_browser(world, analyst, login):
    response = login(analyst).get("/sectors/")
    assert not response.context["ranking_table"]["paged"] and len(response.context["table"]) == 4
    html = response.content.decode()
    assert 'class="sortable ranking"' in html and '<th scope="col" class="num" aria-sort="ascending"><button' in html


def test_it_pages_a_long_ranking_sorted_on_the_server(world, analyst, login, monkeypatch,
                                                      django_assert_max_num_queries):
    monkeypatch.setattr("pages.selectors.ranking_table.RANKING_PAGE_SIZE", 3)
    monkeypatch.setattr("pages.selectors.ranking_table.WHOLE_UP_TO", 4)  # the 4 sectors whole, not the 8 neighbourhoods
    client = login(analyst)
    assert not client.get("/sectors/").context["ranking_table"]["paged"]  # 4 sectors: whole
    whole = _rows(client.get("/sectors/?level=3"))
    assert len(whole) == 8
    pages = [client.get("/sectors/", {"level": 3, "sort": "-items", "page": n}) for n in (1, 2, 3)]
    shown = [code for page in pages for code in _table_codes(page)]
    by_items = [r.area_code for r in sorted(whole, key=lambda r: r.rank)]
    by_items.sort(key=lambda code: -next(r.count for r in whole if r.area_code == code))
    assert shown == by_items  # the whole ranking's order, across the pages
    assert [len(_table_codes(p)) for p in pages] == [3, 3, 2]
    html = pages[1].content.decode()
    assert 'class="ranking"' in html and "<button" not in html.split('id="ranking-table"')[1].split("</thead>")[0]
    assert 'href="?level=3&amp;sort=-items&amp;page=3#ranking-table" rel="next"' in html
    assert 'aria-sort="descending"><a href="?level=3&amp;sort=items#ranking-table">Items</a>' in html
    assert '<input type="hidden" name="sort" value="-items">' in html  # kept when re-ranking
    assert 'href="/sectors/export.csv?level=3&amp;sort=-items&amp;page=2"' in html
    with django_assert_max_num_queries(14):
        export = client.get("/sectors/export.csv", {"level": 3, "sort": "-items", "page": 2})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [r["area_code"] for r in rows if r["area_code"]] == by_items  # every row, in the order shown


def test_it_sorts_by_a_measure_and_by_name(world, analyst, login, monkeypatch):
    monkeypatch.setattr("pages.selectors.ranking_table.RANKING_PAGE_SIZE", 3)
    monkeypatch.setattr("pages.selectors.ranking_table.WHOLE_UP_TO", 4)  # the 4 sectors whole, not the 8 neighbourhoods
    client = login(analyst)
    names = _table_codes(client.get("/sectors/", {"level": 3, "sort": "area"}))
    whole = _rows(client.get("/sectors/?level=3"))
    assert names == [r.area_code for r in sorted(whole, key=lambda r: r.area_name.casefold())][:3]
    by_supply = _table_codes(client.get("/sectors/", {"level": 3, "sort": "-m.drug-supply"}))
    top = sorted(whole, key=lambda r: -r.contributions["drug-supply"])
    assert by_supply[0] == top[0].area_code
    assert _table_codes(client.get("/sectors/", {"level": 3, "sort": "nonsense"})) == [r.area_code for r in whole][:3]


def test_a_warm_overview_is_the_cold_one_without_loading_the_ranking(world, analyst, login,
                                                                    django_assert_max_num_queries):
    client = login(analyst)
    cold = client.get("/sectors/?sort=-harm")
    with django_assert_max_num_queries(12):
        warm = client.get("/sectors/?sort=-harm")
    assert "ranking" in cold.context and "ranking" not in warm.context  # the body came from the cache as HTML
    assert without_tokens(warm) == without_tokens(cold)
    assert "S2" in without_tokens(warm) and 'id="overview-features"' in without_tokens(warm)


def test_the_cached_body_is_kept_apart_by_the_areas_a_user_may_read(world, analyst, officer, login):
    from records.permissions import area_records_grant
    from sectors.models import Area

    s1 = Area.objects.get(code="S1")
    area_records_grant(user=officer, area=s1, granted_by=analyst)
    assert linked_areas(login(analyst).get("/sectors/")) >= {s1.pk, Area.objects.get(code="S2").pk}
    assert linked_areas(login(officer).get("/sectors/")) == {s1.pk}


def test_a_new_scoring_run_renders_the_body_again(world, analyst, login):
    from scoring.services import scores_recompute

    client = login(analyst)
    client.get("/sectors/")
    scores_recompute()
    response = client.get("/sectors/")
    assert "ranking" in response.context  # not the body of the run before
