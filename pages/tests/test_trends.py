"""Change over time: the area chart's modes and bands, the breakdown's previous period, the force's trend,
windows beyond the data, and the victim-based and police-generated split on the pages and in the exports."""
import csv
import io
import re
from datetime import date

import pytest

from scoring.models import HarmScore, Measure, TotalScore
from scoring.selectors import ranking


def _area(client, world, code="S2", query=""):
    return client.get(f"/sectors/{world.sectors[code].pk}/{query}")


def test_it_shades_the_window_and_the_comparison_period(world, analyst, login):
    context = _area(login(analyst), world).context
    chart, row_ranking = context["chart"], context["ranking"]
    assert [(b["label"], b["first"], b["last"]) for b in chart["bands"]] == [
        ("window", row_ranking.start, row_ranking.end),
        ("comparison period", row_ranking.previous_start, row_ranking.previous_end)]
    html = _area(login(analyst), world).content.decode()
    assert html.count('class="band"') == 2 and "Comparison period (" in html


def test_it_draws_each_measure_or_stacks_them(world, analyst, login):
    client = login(analyst)
    total = _area(client, world).context
    assert [line["label"] for line in total["chart"]["lines"]] == ["SOC harm"]
    measures = _area(client, world, query="?chart=measures").context
    with_harm = {m.name for m in Measure.objects.filter(
        is_active=True, scores__area=world.sectors["S2"], scores__harm__gt=0).distinct()}
    assert {line["label"] for line in measures["chart"]["lines"]} == with_harm and len(with_harm) >= 2
    assert measures["chart_mode"] == "measures" and not measures["chart"]["stacked"]
    # Each line is the measure's stored cells, month by month.
    drug = next(i for i, label in enumerate(measures["chart"]["labels"]) if label == "Drug supply offences")
    cells = {s.month: s.harm for s in HarmScore.objects.filter(area=world.sectors["S2"], measure__code="drug-supply")}
    assert [r["values"][drug] for r in measures["chart"]["rows"]] == [
        cells.get(r["month"], 0.0) for r in measures["chart"]["rows"]]
    stacked = _area(client, world, query="?chart=stacked").context
    assert stacked["chart"]["stacked"] and all(line["area"] for line in stacked["chart"]["lines"])
    # The top of the stack is the measures added up, month by month: at least the SOC harm.
    top = stacked["chart"]["lines"][-1]["points"]
    soc = total["chart"]["lines"][0]
    assert len(top) == len(soc["points"])
    assert _area(client, world, query="?chart=nonsense").context["chart_mode"] == "total"


def test_it_offers_the_chart_modes_as_links_keeping_the_window(world, analyst, login):
    html = _area(login(analyst), world, query="?months=6&chart=stacked&page=2").content.decode()
    nav = html[html.index('class="chart-switch"'):]
    nav = nav[:nav.index("</nav>")]
    links = re.findall(r'href="\?([^"#]*)#series-h"', nav)
    assert links == ["months=6&amp;chart=total", "months=6&amp;chart=measures", "months=6&amp;chart=stacked"]
    assert nav.count('aria-current="true"') == 1 and 'chart=stacked#series-h" aria-current="true"' in nav


def test_it_shows_each_measures_previous_figure_and_change(world, analyst, login):
    context = _area(login(analyst), world).context
    row = context["row"]
    for b in context["breakdown"]:
        code = b["measure"].code
        before = HarmScore.objects.filter(area=world.sectors["S2"], measure__code=code,
                                          month__gte=context["ranking"].previous_start,
                                          month__lte=context["ranking"].previous_end)
        assert b["previous_harm"] == pytest.approx(sum(s.harm for s in before))
        assert b["previous_count"] == sum(s.count for s in before)
        assert b["change"] == pytest.approx(b["harm"] - b["previous_harm"])
    drug = next(b for b in context["breakdown"] if b["measure"].code == "drug-supply")
    assert drug["change"] > 0  # S2's drug supply rose from 6 to 20 offences
    assert row.harm_change == pytest.approx(row.harm - row.previous_harm)


def test_it_shows_victim_based_and_police_generated_harm_in_the_headline(world, analyst, login):
    context = _area(login(analyst), world).context
    row = context["row"]
    sides = {t["type"]: t["harm"] for t in context["by_type"]}
    assert sides == pytest.approx(row.harm_by_type) and set(sides) == {"victim", "police"}
    assert sides["police"] > 0 and max(sides.values()) <= row.harm + 1e-6 <= sum(sides.values()) + 1e-6
    html = _area(login(analyst), world).content.decode()
    assert f'data-harm-type="police">{sides["police"]:,.0f}</span>' in html
    assert "need not add up to the SOC harm" in html


def test_it_gives_the_overview_a_force_trend_and_the_split_columns(world, analyst, login):
    client = login(analyst)
    response = client.get("/sectors/")
    trend, data = response.context["trend"], response.context["ranking"]
    force_series = ranking(user=analyst, level=0).rows[0]
    window = [r for r in trend["rows"] if data.start <= r["month"] <= data.end]
    assert sum(r["values"][0] for r in window) == pytest.approx(force_series.harm)
    assert [b["label"] for b in trend["bands"]] == ["window", "comparison period"]
    html = response.content.decode()
    assert 'id="trend-h"' in html and "Victim-based</button>" in html and "Police-generated</button>" in html
    s2 = next(r for r in data.rows if r.area_code == "S2")
    assert f'data-sort="{s2.harm_by_type["victim"]:.4f}"' in html


def test_it_exports_the_split_and_the_dominant_item_in_columns_of_their_own(world, analyst, login):
    response = login(analyst).get("/sectors/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    data = {r.area_code: r for r in ranking(user=analyst).rows}
    for row in rows:
        expected = data[row["area_code"]]
        assert float(row["harm_victim_based"]) == pytest.approx(expected.harm_by_type["victim"], abs=0.01)
        assert float(row["harm_police_generated"]) == pytest.approx(expected.harm_by_type["police"], abs=0.01)
        assert row["dominant_item"] == (f"one {expected.dominant} dominates" if expected.dominant else "")
        assert row["harm_change_significant"] in {"yes", "no"}


def test_it_says_when_a_window_runs_beyond_the_data(world, analyst, login):
    client = login(analyst)
    first, last = HarmScore.objects.earliest("month").month, HarmScore.objects.latest("month").month
    words = f"data runs {first:%B %Y} to {last:%B %Y}"
    assert words not in client.get("/sectors/?end=2024-12&months=12").content.decode()
    for url in ["/sectors/?end=2025-06&months=12", f"/sectors/{world.sectors['S1'].pk}/?end=2025-03",
                "/demand/?end=2025-02", "/themes/drug-supply/?end=2022-06&months=3"]:
        html = client.get(url).content.decode()
        assert 'id="beyond-data"' in html and words in html, url
    # The comparison period alone before the data: said too.
    html = client.get("/sectors/?end=2023-12&months=12").content.decode()
    assert 'id="comparison-beyond-data"' in html and 'id="beyond-data"' not in html


def test_it_bounds_the_month_pickers_to_the_months_with_data(world, analyst, login):
    client = login(analyst)
    first, last = HarmScore.objects.earliest("month").month, HarmScore.objects.latest("month").month
    bounds = f'min="{first:%Y-%m}" max="{last:%Y-%m}"'
    for url in ["/sectors/", f"/sectors/{world.sectors['S1'].pk}/", "/demand/", "/themes/", "/themes/firearms/"]:
        assert bounds in client.get(url).content.decode(), url


def test_it_counts_crimes_partner_records_and_nominal_months_apart(world, analyst, login):
    client = login(analyst)
    table = client.get("/demand/?level=2").context["table"]
    s2 = next(r for r in table["rows"] if r["code"] == "S2")
    # S2 in 2024: 20 drug supply and 3 cannabis farm crimes, 2 Crimestoppers reports, and its two
    # OCG members living there every month (the OCG-members measure counts them).
    items = TotalScore.objects.filter(area=world.sectors["S2"], month__gte=date(2024, 1, 1),
                                      month__lte=date(2024, 12, 1))
    nominal_months = sum(t.count for t in items.filter(item_type="nominal"))
    assert s2["total"]["crimes"] == 23
    assert s2["total"]["nominal"] == nominal_months == 24
    counted_partner = Measure.objects.filter(is_active=True, source="records", record_kind="crimestoppers").exists()
    assert s2["total"]["partner"] == (2 if counted_partner else 0)
    s1 = next(r for r in table["rows"] if r["code"] == "S1")
    assert s1["total"]["partner"] == 2  # firearms intelligence reports
    # The three add up to the items the ranking counts, and the totals row to the rows.
    rows = {r.area_code: r for r in ranking(user=analyst, level=2).rows}
    for r in table["rows"]:
        assert r["total"]["crimes"] + r["total"]["partner"] + r["total"]["nominal"] == rows[r["code"]].count
        assert r["total"]["victim"] == pytest.approx(rows[r["code"]].harm_by_type["victim"])
    assert table["total"]["crimes"] == sum(r["total"]["crimes"] for r in table["rows"])


def test_it_exports_the_three_counts_and_the_split(world, analyst, login):
    response = login(analyst).get("/demand/export.csv?level=2")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == ["area_code", "area_name", "month", "harm", "crimes", "partner_records",
                             "nominal_months", "harm_victim_based", "harm_police_generated"]
    table = login(analyst).get("/demand/?level=2").context["table"]
    for r in table["rows"]:
        mine = [row for row in rows if row["area_code"] == r["code"]]
        assert sum(int(row["crimes"]) for row in mine) == r["total"]["crimes"]
        assert sum(int(row["nominal_months"]) for row in mine) == r["total"]["nominal"]
        assert sum(float(row["harm_police_generated"]) for row in mine) == pytest.approx(r["total"]["police"])
