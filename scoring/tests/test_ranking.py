import math
from datetime import date

import pytest
from django.http import Http404

from core.models import AuditEvent
from records.permissions import area_records_grant
from scoring import selectors
from scoring.services import scores_recompute
from scoring.tests.conftest import JAN, MAR
from sectors.models import Level
from tests import factories as f

OCG_MONTH, DRD, INTEL = 42.75, 1512.0, 412.2


@pytest.fixture
def scored(world):
    scores_recompute()
    return world


def by_code(ranking):
    return {row.area_code: row for row in ranking.rows}


def test_it_ranks_the_sectors_as_worked_out_by_hand(scored, analyst):
    ranking = selectors.ranking(user=analyst, level=Level.SECTOR, end_month=MAR, months=3)
    assert (ranking.start, ranking.end) == (JAN, MAR)
    assert (ranking.previous_start, ranking.previous_end) == (date(2022, 10, 1), date(2022, 12, 1))
    assert ranking.edition == scored.edition and len(ranking.measures) == 9
    rows = by_code(ranking)
    s1, s2, s3 = rows["S1"], rows["S2"], rows["S3"]
    assert s1.harm == pytest.approx(100 + 10 + 1000)
    assert s2.harm == pytest.approx(100 + DRD + INTEL)
    assert s3.harm == pytest.approx(10 + 100 + 100 + 3 * OCG_MONTH)
    assert [r.area_code for r in ranking.rows] == ["S2", "S1", "S3"]
    assert [(r.rank, r.previous_rank, r.rank_change) for r in ranking.rows] == [(1, 3, 2), (2, 1, -1), (3, 2, -1)]
    assert (s1.previous_harm, s2.previous_harm, s3.previous_harm) == (1000.0, 0.0, 100.0)
    assert s1.harm_change == pytest.approx(110.0)
    assert s1.z == pytest.approx(110 / math.sqrt(100**2 + 10**2 + 1000**2 + 1000**2)) and not s1.significant
    assert s2.z == pytest.approx((100 + DRD + INTEL) / math.sqrt(100**2 + DRD**2 + INTEL**2))
    assert s1.contributions["drug-supply"] == pytest.approx(110.0) and s1.counts["drug-supply"] == 2
    assert s1.contributions["ocg-linked-crime"] == 1000.0 and s1.counts["cannabis-farms"] == 0
    assert s3.counts["ocg-priority-nominals"] == 3
    # One item over half the area's harm: S1 (1000 of 1110) and S2 (1512 of 2024.2), not S3 (100 of 338.25).
    assert (s1.dominant_record, s2.dominant_record, s3.dominant_record) == (True, True, False)


def test_it_flags_a_significant_change(scored, analyst):
    for day in range(1, 11):
        f.RecordFactory(place=scored.s3, offence_type=scored.a, drug_supply=True, occurred_on=date(2023, 2, day))
    scores_recompute()
    s3 = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))["S3"]
    # H1 = 338.25 + 1000, H0 = 100; variance: now 12 items of 100, one of 10, 3 months of 42.75; before one of 100.
    expected = (1338.25 - 100) / math.sqrt(12 * 100**2 + 10**2 + 3 * OCG_MONTH**2 + 100**2)
    assert s3.z == pytest.approx(expected) and s3.significant


def test_it_defaults_to_the_latest_month_and_the_active_measures(scored, analyst):
    ranking = selectors.ranking(user=analyst)
    assert ranking.end == MAR and ranking.start == date(2022, 4, 1)
    assert "all-crime-policeuk" not in [m.code for m in ranking.measures]


def test_it_ranks_by_the_measures_asked_for(scored, analyst):
    ranking = selectors.ranking(user=analyst, end_month=MAR, months=3, measure_codes=["drug-supply", "nope"])
    assert [m.code for m in ranking.measures] == ["drug-supply"]
    assert [(r.area_code, r.harm) for r in ranking.rows] == [("S1", 110.0), ("S3", 100.0), ("S2", 0.0)]


def test_it_lists_ties_by_name_then_code_sharing_one_rank(db, edition, analyst):
    command = f.AreaFactory(level=Level.COMMAND, code="C")
    for code, name in [("Z9", "Bravo"), ("A1", "Bravo"), ("M5", "Alpha"), ("Q0", "Charlie")]:
        f.AreaFactory(level=Level.SECTOR, code=code, name=name, parent=command)
    scores_recompute()
    rows = selectors.ranking(user=analyst, months=3).rows
    assert [(r.area_code, r.rank) for r in rows] == [("M5", 1), ("A1", 1), ("Z9", 1), ("Q0", 1)]
    assert all(r.harm == 0 and r.z is None and r.rank_change == 0 for r in rows)


def test_it_gives_areas_without_harm_one_shared_rank_below_the_others(scored, analyst):
    extra = [f.AreaFactory(level=Level.SECTOR, parent=scored.c1, name=name) for name in ("Aaa", "Zzz")]
    rows = selectors.ranking(user=analyst, end_month=MAR, months=3, measure_codes=["drug-supply"]).rows
    harmed = [r for r in rows if r.harm > 0]
    unharmed = [r for r in rows if r.harm == 0]
    assert [r.rank for r in harmed] == list(range(1, len(harmed) + 1))
    assert {r.rank for r in unharmed} == {len(harmed) + 1}
    assert {r.area_id for r in unharmed} >= {a.pk for a in extra}
    # Areas without harm in either window keep their (shared) rank: no change, whatever their names.
    assert all(r.rank_change == 0 for r in unharmed if r.previous_harm == 0)


def test_it_shares_a_rank_between_equal_harms_and_skips_the_places_they_take():
    from scoring.selectors.ranking import _ranks

    areas = [{"id": i, "name": name, "code": name} for i, name in enumerate("abcde")]
    ranks = _ranks({0: 5.0, 1: 9.0, 2: 5.0, 3: 5.0 + 1e-9, 4: 1.0}, areas)
    assert ranks == {1: 1, 0: 2, 2: 2, 3: 2, 4: 5}


def test_it_includes_areas_without_harm_and_every_level(scored, analyst):
    assert [r.area_code for r in selectors.ranking(user=analyst, level=Level.NEIGHBOURHOOD, months=3).rows] == [
        "N2a", "N1a", "N1b"]
    force = selectors.ranking(user=analyst, level=Level.FORCE, end_month=MAR, months=3).rows
    assert force[0].harm == pytest.approx(1110 + 2024.2 + 338.25)


def test_it_runs_a_fixed_number_of_queries(scored, analyst):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    selectors.ranking(user=analyst, months=3)  # the user's roles are read once, then kept on the user
    with CaptureQueriesContext(connection) as few:
        selectors.ranking(user=analyst, months=3)
    for number in range(40):
        f.AreaFactory(level=Level.SECTOR, parent=scored.c1)
    # Measures, edition, default end, areas, breakdown, force, totals, and at most three for the
    # nominals of areas one nominal could dominate: the same for 3 areas or 43.
    with CaptureQueriesContext(connection) as many:
        ranking = selectors.ranking(user=analyst, months=3)
    assert len(ranking.rows) == 43
    assert len(many) == len(few) <= 11


def test_it_returns_nothing_to_those_who_may_not_see_rankings(scored, outsider, partner_a, governance):
    for user in (outsider, partner_a, governance):
        with pytest.raises(Http404):
            selectors.ranking(user=user)
        with pytest.raises(Http404):
            selectors.area_series(user=user, area_id=scored.s1.pk)
        with pytest.raises(Http404):
            selectors.contributing_records(user=user, area_id=scored.s1.pk, start=JAN, end=MAR)


def test_it_gives_officers_the_ranking(scored, officer):
    assert len(selectors.ranking(user=officer, months=3).rows) == 3


def test_it_gives_the_monthly_series_of_an_area(scored, analyst):
    series = selectors.area_series(user=analyst, area_id=scored.s1.pk)
    assert series == [(date(2022, 11, 1), 1000.0, 1), (date(2022, 12, 1), 0.0, 0), (JAN, 100.0, 1),
                      (date(2023, 2, 1), 10.0, 1), (MAR, 1000.0, 1)]


def test_it_lists_the_records_behind_the_number_and_audits_it(scored, analyst):
    items = selectors.contributing_records(user=analyst, area_id=scored.s1.pk, start=JAN, end=MAR)
    assert [(i.ref, i.measure_code, i.weight) for i in items] == [
        (scored.r[3].external_ref, "ocg-linked-crime", 1000.0),
        (scored.r[1].external_ref, "drug-supply", 100.0),
        (scored.r[2].external_ref, "drug-supply", 10.0),
    ]
    assert sum(i.harm for i in items) == pytest.approx(1110.0)
    assert items[0].offence_code == "C" and items[0].edition == "test-css" and items[0].weighting == "css"
    event = AuditEvent.objects.get(action="view", object_type="area_contributing_records")
    assert event.user == analyst and event.object_id == str(scored.s1.pk)
    assert sorted(event.detail["records"]) == sorted([scored.r[1].pk, scored.r[2].pk, scored.r[3].pk])


def test_it_lists_fixed_weights_and_nominals(scored, analyst):
    items = selectors.contributing_records(user=analyst, area_id=scored.s3.pk, start=JAN, end=MAR,
                                           measure_code="ocg-priority-nominals")
    assert [(i.item_type, i.ref, i.weight, i.months, i.harm) for i in items] == [
        ("nominal", scored.n3.ref, OCG_MONTH, 3, 3 * OCG_MONTH)]
    deaths = selectors.contributing_records(user=analyst, area_id=scored.s2.pk, start=JAN, end=MAR,
                                            measure_code="drug-related-deaths")
    assert [(i.kind, i.weight, i.weighting) for i in deaths] == [("drug_death", DRD, "fixed")]


def test_it_hides_raw_records_from_officers_without_a_grant(scored, officer, analyst):
    with pytest.raises(Http404):
        selectors.contributing_records(user=officer, area_id=scored.s1.pk, start=JAN, end=MAR)
    area_records_grant(user=officer, area=scored.s3, granted_by=analyst)
    items = selectors.contributing_records(user=officer, area_id=scored.s3.pk, start=JAN, end=MAR)
    # Officers may read records, not nominals: the nominal's identity is withheld, its harm is not.
    nominal = next(i for i in items if i.item_type == "nominal")
    assert nominal.ref == "withheld" and nominal.id == 0 and nominal.harm == pytest.approx(3 * OCG_MONTH)
    assert sum(i.harm for i in items) == pytest.approx(338.25)


def test_a_new_scoring_run_shows_new_contributing_records_at_once(scored, analyst):
    before = selectors.contributing_records(user=analyst, area_id=scored.s1.pk, start=JAN, end=MAR)
    record = f.RecordFactory(place=scored.s1, offence_type=scored.a, drug_supply=True, occurred_on=date(2023, 2, 3))
    cached = selectors.contributing_records(user=analyst, area_id=scored.s1.pk, start=JAN, end=MAR)
    assert [i.id for i in cached] == [i.id for i in before]  # same scoring run: the cached items
    scores_recompute()
    after = selectors.contributing_records(user=analyst, area_id=scored.s1.pk, start=JAN, end=MAR)
    assert record.pk in [i.id for i in after]
    assert AuditEvent.objects.filter(action="view", object_type="area_contributing_records").count() == 3


def test_it_reads_no_records_for_measures_without_stored_scores(scored, analyst):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # S1 has no cannabis farm in the window: the stored scores say so and no record is read.
    with CaptureQueriesContext(connection) as queries:
        items = selectors.contributing_records(user=analyst, area_id=scored.s1.pk, start=JAN, end=MAR,
                                               measure_code="cannabis-farms")
    assert items == []
    assert not [q for q in queries.captured_queries if "ingestion_record" in q["sql"]]


def test_the_cached_items_keep_identities_withheld_per_user(scored, officer, analyst):
    area_records_grant(user=officer, area=scored.s3, granted_by=analyst)
    as_officer = selectors.contributing_records(user=officer, area_id=scored.s3.pk, start=JAN, end=MAR)
    as_analyst = selectors.contributing_records(user=analyst, area_id=scored.s3.pk, start=JAN, end=MAR)
    again = selectors.contributing_records(user=officer, area_id=scored.s3.pk, start=JAN, end=MAR)
    assert [i.ref for i in as_officer if i.item_type == "nominal"] == ["withheld"]
    assert [i.ref for i in as_analyst if i.item_type == "nominal"] == [scored.n3.ref]
    assert [i.ref for i in again if i.item_type == "nominal"] == ["withheld"]


def test_it_gives_each_measure_its_previous_period(scored, analyst):
    rows = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))
    # Oct-Dec 2022: r9 (C, drug supply, S1) and r10 (A, drug supply, S3); nothing else.
    assert rows["S1"].previous_contributions["drug-supply"] == 1000.0 and rows["S1"].previous_counts["drug-supply"] == 1
    assert rows["S3"].previous_contributions["drug-supply"] == 100.0
    assert sum(rows["S2"].previous_contributions.values()) == 0
    for row in rows.values():
        assert set(row.previous_contributions) == set(row.contributions)
        assert row.previous_harm <= sum(row.previous_contributions.values()) + 1e-9


def test_it_splits_the_harm_into_victim_based_and_police_generated(scored, analyst, measures):
    rows = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))
    victim = {c for c, m in measures.items() if m.harm_type == "victim"}
    assert {"ocg-linked-crime", "drug-related-deaths", "firearms-discharges"} <= victim
    # S1: r3 (OCG-linked, 1000) is victim-based; r1, r2 (drug supply, 110) police-generated.
    assert rows["S1"].harm_by_type == pytest.approx({"victim": 1000.0, "police": 110.0})
    assert rows["S2"].harm_by_type == pytest.approx({"victim": DRD, "police": 100 + INTEL})
    assert rows["S3"].harm_by_type == pytest.approx({"victim": 110.0, "police": 100 + 3 * OCG_MONTH})
    assert rows["S1"].previous_harm_by_type == pytest.approx({"victim": 0.0, "police": 1000.0})
    # Each side on its own is the ranking of that type's measures.
    for harm_type in ("victim", "police"):
        alone = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3, measure_codes=[
            c for c, m in measures.items() if m.harm_type == harm_type and m.is_active]))
        assert {c: r.harm_by_type[harm_type] for c, r in rows.items()} == pytest.approx(
            {c: r.harm for c, r in alone.items()})


def test_it_puts_an_item_counted_by_both_types_on_both_sides(scored, analyst):
    # An OCG member's drug supply offence: OCG-linked (victim-based) and drug supply (police-generated).
    crime = f.RecordFactory(place=scored.n1a, offence_type=scored.b, drug_supply=True, occurred_on=date(2023, 2, 9))
    f.RecordNominalFactory(record=crime, nominal=scored.m4, role="offender")
    scores_recompute()
    s1 = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))["S1"]
    assert s1.harm == pytest.approx(1110 + 10)
    assert s1.harm_by_type == pytest.approx({"victim": 1000.0 + 10, "police": 110.0 + 10})
    assert sum(s1.harm_by_type.values()) - s1.harm == pytest.approx(10)


def test_it_gives_the_force_its_split_too(scored, analyst):
    ranking = selectors.ranking(user=analyst, end_month=MAR, months=3)
    assert ranking.force_id == scored.force.pk
    assert ranking.force_harm_by_type == pytest.approx({
        t: sum(r.harm_by_type[t] for r in ranking.rows) for t in ("victim", "police")})


def test_it_knows_the_months_with_data(scored):
    first, last = selectors.data_span()
    assert first <= date(2022, 11, 1) and last >= MAR
