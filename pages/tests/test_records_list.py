"""The records list of an area page counted and paged from the scoring run's stored counts.

listed_months must give, month by month, what reading the records gives (area_records), and the
pages read from the months holding them must be those of the newest-first order of the window.
"""
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Organisation
from ingestion.models import Upload, UploadKind
from pages.forms import COUNTED_ALL, COUNTED_SOC
from pages.selectors import records as records_selectors
from records.models import Record, RecordKind
from scoring.models import CssEdition, Measure
from scoring.selectors.ranking import visible_measures
from scoring.services import scores_recompute
from sectors.models import Level

START, END = date(2024, 1, 1), date(2024, 12, 1)


def _more_records(world) -> None:
    """Drug-supply crimes and unweighted partner records in S2 on days spread over the months, then the scores."""
    sector = world.sectors["S2"]
    hood = next(h for h in world.neighbourhoods if h.parent_id == sector.id)
    rows = []
    for i in range(40):
        day = date(2024, 1, 1) + timedelta(days=(i * 37) % 360)
        rows.append(Record(
            force=world.force, kind=RecordKind.CRIME if i % 3 else RecordKind.CRIMESTOPPERS,
            source="force" if i % 3 else "crimestoppers", external_ref=f"SPREAD-{i}", occurred_on=day,
            month=day.replace(day=1), lat=sector.min_lat + 0.02, lon=hood.min_lon + 0.02, area=hood,
            sector=sector, command=sector.parent, offence_type=world.offences["92A"] if i % 3 else None,
            drug_supply=bool(i % 3)))
    Record.objects.bulk_create(rows)
    scores_recompute()


def _live_months(analyst, area, filters, measures, edition) -> dict:
    """month -> (count, harm) read from the records, as the list showed them before the stored counts."""
    qs = records_selectors.area_records(user=analyst, area=area, start=START, end=END, filters=filters,
                                        measures=measures, edition=edition)
    counted = records_selectors.area_records(user=analyst, area=area, start=START, end=END, measures=measures,
                                             edition=edition,
                                             filters={**filters, "counted_by": COUNTED_SOC}
                                             if filters.get("counted_by") == COUNTED_ALL else filters)
    months = defaultdict(lambda: [0, 0.0])
    for month in qs.values_list("month", flat=True):
        months[month][0] += 1
    for month, harm in counted.values_list("month", "harm"):
        months[month][1] += harm
    return {m: (n, h) for m, (n, h) in months.items() if n}


def test_it_counts_the_list_by_month_as_the_records_do(world, analyst):
    _more_records(world)
    measures, edition = visible_measures(None), CssEdition.objects.get(is_active=True)
    areas = [world.force, *world.commands, *world.sectors.values(), *world.neighbourhoods]
    selections = [COUNTED_SOC, COUNTED_ALL, *Measure.objects.values_list("code", flat=True)]
    compared = 0
    for area in areas:
        for counted_by in selections:
            for filters in ({"counted_by": counted_by}, {"counted_by": counted_by, "month": date(2024, 3, 1)}):
                stored = records_selectors.listed_months(user=analyst, area=area, start=START, end=END,
                                                         filters=filters, measures=measures, edition=edition)
                live = _live_months(analyst, area, filters, measures, edition)
                assert stored is not None
                assert {m: n for m, (n, _) in stored.items()} == {m: n for m, (n, _) in live.items()}, \
                    (area.code, filters)
                assert {m: h for m, (_, h) in stored.items()} == pytest.approx({m: h for m, (_, h) in live.items()})
                assert records_selectors.area_records_totals(
                    user=analyst, area=area, start=START, end=END, filters=filters, measures=measures,
                    edition=edition) == (sum(n for n, _ in live.values()),
                                         pytest.approx(sum(h for _, h in live.values())))
                compared += bool(live)
    assert compared > 40  # most areas and selections list something
    # A month outside the window lists nothing, as the records query does.
    assert records_selectors.listed_months(user=analyst, area=world.sectors["S2"], start=START, end=END,
                                           filters={"month": date(2023, 3, 1)}) == {}


@pytest.mark.parametrize("counted_by", [COUNTED_SOC, COUNTED_ALL])
def test_it_pages_from_the_months_as_through_the_whole_window(world, analyst, counted_by):
    _more_records(world)
    measures, edition = visible_measures(None), CssEdition.objects.get(is_active=True)
    area, filters = world.sectors["S2"], {"counted_by": counted_by}
    qs = records_selectors.area_records(user=analyst, area=area, start=START, end=END, filters=filters,
                                        measures=measures, edition=edition)
    months = records_selectors.listed_months(user=analyst, area=area, start=START, end=END, filters=filters,
                                             measures=measures, edition=edition)
    expected = [r.pk for r in records_selectors.records_page_rows(qs, edition)]
    assert len(expected) == sum(n for n, _ in months.values()) > 40
    for per_page in (1, 4, 7, 50):
        last = -(-len(expected) // per_page)
        pages = []
        for number in range(1, last + 2):  # one page past the end: clamped to the last
            page, capped = records_selectors.records_page(qs, edition, number, per_page, "v", key=f"k{per_page}",
                                                          months=months)
            live, _ = records_selectors.records_page(qs, edition, number, per_page, "v", key=f"live{per_page}")
            assert [r.pk for r in page] == [r.pk for r in live] and not capped
            assert page.paginator.count == live.paginator.count == len(expected)
            pages.append([r.pk for r in page])
        assert sum(pages[:last], []) == expected and pages[last] == pages[last - 1]


def test_it_reads_the_records_when_an_upload_was_applied_after_the_run(world, analyst):
    area = world.sectors["S2"]
    assert records_selectors.listed_months(user=analyst, area=area, start=START, end=END) is not None
    Upload.objects.create(organisation=Organisation.objects.get(code="coroner"), kind=UploadKind.DRUG_DEATHS,
                          original_name="deaths.csv", sha256="0" * 64, size=0, status=Upload.Status.APPLIED,
                          created_at=timezone.now(), finished_at=timezone.now())
    assert records_selectors.listed_months(user=analyst, area=area, start=START, end=END) is None
    scores_recompute()
    assert records_selectors.listed_months(user=analyst, area=area, start=START, end=END) is not None


def test_it_reads_the_records_for_the_filters_the_counts_do_not_hold(world, analyst):
    for filters in ({"kind": RecordKind.CRIME}, {"flag": "drug_supply"}, {"offence": "92A"}):
        assert records_selectors.listed_months(user=analyst, area=world.sectors["S2"], start=START, end=END,
                                               filters={"counted_by": COUNTED_SOC, **filters}) is None


def test_a_first_view_reads_one_page_of_records_and_counts_none(world, analyst, login):
    client = login(analyst)
    client.get(f"/sectors/{world.sectors['S1'].pk}/")  # the parts every area page shares, warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sectors/{world.sectors['S2'].pk}/")
    assert response.context["records"].paginator.count == response.context["listed"]["records"] == 23
    read = [q["sql"] for q in queries.captured_queries if Record._meta.db_table in q["sql"]]
    assert len(read) == 1 and "COUNT(" not in read[0] and "LIMIT 50" in read[0], read
    assert Level.SECTOR == response.context["area"].level
