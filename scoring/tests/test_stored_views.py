"""What the scoring run stores for the pages equals what the records give, full or scoped."""
from datetime import date

from django.db.models import Count, Q

from records.models import RECORD_AREA_FIELD, Record, RecordKind
from scoring.models import AreaView, CssEdition, Measure, RecordCount
from scoring.selectors.drilldown import STORED_LIMIT, contributing_items, item_json
from scoring.selectors.layers import layer_cells
from scoring.selectors.stored import stored_area_view
from scoring.services import scores_recompute
from scoring.services.stored_views import AREA_LEVELS, standard_windows
from sectors.models import Area
from tests.world import build_world

LOCATED = Q(area__isnull=False) | Q(sector__isnull=False) | Q(command__isnull=False)


def _counts() -> dict:
    return {(c.level, c.area_id, c.month, c.kind): (c.count, c.drug_supply, c.cannabis_farm, c.firearms_discharge,
                                                    c.is_synthetic) for c in RecordCount.objects.all()}


def _views() -> dict:
    return {(v.area_id, v.start, v.end, v.kind): (v.measures, v.edition_id, v.data) for v in AreaView.objects.all()}


def test_it_counts_the_records_as_grouping_them_gives(db):
    build_world()
    expected = {}
    for level, field in RECORD_AREA_FIELD.items():
        for row in Record.objects.filter(LOCATED).values(field, "month", "kind").annotate(
                n=Count("id"), ds=Count("id", filter=Q(drug_supply=True)), cf=Count("id", filter=Q(cannabis_farm=True)),
                fd=Count("id", filter=Q(firearms_discharge=True)), syn=Count("id", filter=Q(is_synthetic=True))):
            expected[(level, row[field], row["month"], row["kind"])] = (row["n"], row["ds"], row["cf"], row["fd"],
                                                                        row["syn"])
    assert _counts() == expected
    assert sum(n for (level, *_), (n, *_) in expected.items() if level == 2) == Record.objects.filter(LOCATED).count()


def test_it_stores_each_area_page_as_computing_it_from_the_records_gives(db):
    world = build_world()
    measures, edition = list(Measure.objects.filter(is_active=True)), CssEdition.objects.get(is_active=True)
    windows = standard_windows()
    areas = list(Area.objects.filter(level__in=AREA_LEVELS))
    assert len(windows) == 3 and len(_views()) == 2 * len(windows) * len(areas)
    for area in areas:
        for start, end in windows:
            live = [item_json(i) for i in contributing_items(area=area, start=start, end=end, measures=measures,
                                                              edition=edition, limit=STORED_LIMIT)]
            assert stored_area_view(area=area, start=start, end=end, kind="contributing", measures=measures,
                                    edition=edition) == live
            assert stored_area_view(area=area, start=start, end=end, kind="layer", measures=measures,
                                    edition=edition) == layer_cells(area=area, start=start, end=end,
                                                                    measures=measures, edition=edition)
    s2 = world.sectors["S2"]
    assert stored_area_view(area=s2, start=windows[-1][0], end=windows[-1][1], kind="contributing",
                            measures=measures, edition=edition)  # something to show


def test_it_is_not_used_for_other_measures(db):
    world = build_world()
    start, end = standard_windows()[-1]
    some = list(Measure.objects.filter(is_active=True))[:1]
    assert stored_area_view(area=world.sectors["S2"], start=start, end=end, kind="layer", measures=some,
                            edition=CssEdition.objects.get(is_active=True)) is None


def test_a_scoped_run_leaves_what_a_full_run_would(db):
    world = build_world()
    s2 = world.sectors["S2"]
    end = standard_windows()[-1][1]
    Record.objects.create(force=world.force, kind=RecordKind.CRIME, source="force", external_ref="NEW1", occurred_on=end,
                          month=end, lat=s2.min_lat + 0.01, lon=s2.min_lon + 0.01, sector=s2, command=s2.parent,
                          offence_type=world.offences["92A"], drug_supply=True)
    Record.objects.filter(external_ref__isnull=False).exclude(external_ref="NEW1").filter(
        sector=world.sectors["S3"]).update(cannabis_farm=True)  # changed in S3: the scope below must see it
    s3_months = sorted(set(Record.objects.filter(sector=world.sectors["S3"]).values_list("month", flat=True)))
    scores_recompute(area_ids=[s2.pk, world.sectors["S3"].pk], months=[end, *s3_months])
    scoped = (_counts(), _views())
    scores_recompute()
    full = (_counts(), _views())
    assert scoped[0] == full[0]
    assert {k: (m, e, d) for k, (m, e, d) in scoped[1].items()} == full[1]
    assert any(item["ref"] == "NEW1" for (area, _, _, kind), (_, _, data) in full[1].items()
               if area == s2.pk and kind == "contributing" for item in data)


def test_a_month_no_run_has_scored_is_computed_live(db):
    world = build_world()
    s2 = world.sectors["S2"]
    measures, edition = list(Measure.objects.filter(is_active=True)), CssEdition.objects.get(is_active=True)
    assert stored_area_view(area=s2, start=date(2020, 1, 1), end=date(2020, 12, 1), kind="layer",
                            measures=measures, edition=edition) is None


def test_a_scoped_run_rewrites_only_the_areas_around_its_own(db):
    world = build_world()
    s2, end = world.sectors["S2"], standard_windows()[-1][1]
    before = {(v.area_id, v.start, v.kind): v.run_id for v in AreaView.objects.all()}
    run = scores_recompute(area_ids=[s2.pk], months=[end])
    rewritten = {area for (area, _, _), run_id in
                 {(v.area_id, v.start, v.kind): v.run_id for v in AreaView.objects.all()}.items() if run_id == run.pk}
    assert rewritten == {s2.pk, s2.parent_id, world.force.pk}
    assert len(before) == AreaView.objects.count()
