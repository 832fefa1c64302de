from datetime import date

import pytest

from records.models import Record, RecordKind
from scoring.models import HarmScore, ScoringRun
from scoring.services import NoActiveEdition, scores_recompute
from scoring.tests.conftest import FEB, JAN, MAR
from tests import factories as f

OCG_MONTH = 42.75  # fixed weight of ocg-priority-nominals (seeded)
DRD = 1512.0
INTEL = 412.2


def cells(**filters) -> dict:
    return {
        (s.area.code, s.month, s.measure.code): (s.count, round(s.harm, 6), round(s.harm_sq, 6), s.max_item_harm)
        for s in HarmScore.objects.filter(**filters).select_related("area", "measure")
    }


def harm(area, measure_code, month=None) -> float:
    qs = HarmScore.objects.filter(area=area, measure__code=measure_code)
    if month:
        qs = qs.filter(month=month)
    return round(sum(s.harm for s in qs), 6)


def test_it_scores_the_hand_built_force(world):
    run = scores_recompute()
    assert run.status == ScoringRun.Status.DONE and run.edition == world.edition and run.rows_written > 0
    w = world
    # Sector cells, worked out by hand (see conftest).
    assert cells(area=w.s1, month=JAN) == {("S1", JAN, "drug-supply"): (1, 100.0, 10000.0, 100.0)}
    assert cells(area=w.s1, month=MAR) == {("S1", MAR, "ocg-linked-crime"): (1, 1000.0, 1e6, 1000.0)}
    assert cells(area=w.s2, month=FEB) == {("S2", FEB, "drug-related-deaths"): (1, DRD, DRD**2, DRD)}
    assert cells(area=w.s3, month=MAR) == {
        ("S3", MAR, "drug-supply"): (1, 100.0, 10000.0, 100.0),
        ("S3", MAR, "ocg-priority-nominals"): (1, OCG_MONTH, OCG_MONTH**2, OCG_MONTH),
    }
    # Neighbourhoods, and no neighbourhood cell for S3 (its records lie outside every neighbourhood).
    assert harm(w.n1a, "drug-supply") == 100.0 and harm(w.n1b, "drug-supply") == 10.0 + 1000.0
    assert not HarmScore.objects.filter(area__level=3, area__code="S3").exists()
    # Command and force: every located record once.
    assert harm(w.c1, "drug-supply", JAN) == 100.0
    assert harm(w.force, "drug-supply") == 100 + 10 + 1000 + 100 + 100
    assert harm(w.force, "firearms-discharges") == 110.0
    assert harm(w.force, "firearms-intel") == INTEL
    assert harm(w.force, "cannabis-farms") == 100.0


def test_it_counts_a_crime_once_however_many_members_are_linked(world):
    scores_recompute()
    score = HarmScore.objects.get(area=world.s1, month=MAR, measure__code="ocg-linked-crime")
    assert (score.count, score.harm) == (1, 1000.0)


def test_it_ignores_a_membership_that_ended_before_the_crime_and_victims(world):
    scores_recompute()
    # r6 (S2, Feb) is linked to M2 whose membership ended 2022-12-31; r13 (S1, Jan) only to a victim.
    assert not HarmScore.objects.filter(measure__code="ocg-linked-crime", month__in=[JAN, FEB]).exists()
    assert harm(world.force, "ocg-linked-crime") == 1000.0


def test_it_counts_a_nominal_in_every_month_they_held_the_role(world):
    scores_recompute()
    months = HarmScore.objects.filter(area=world.s3, measure__code="ocg-priority-nominals").values_list(
        "month", "count")
    # Records span Nov 2022 - Mar 2023; N3 joined on 2023-01-01. M1, M2, M4 have no home: not placed.
    assert sorted(months) == [(JAN, 1), (FEB, 1), (MAR, 1)]


def test_it_counts_a_nominal_once_a_month_whatever_roles_they_hold(world):
    f.PriorityStatusFactory(nominal=world.n3, started_on=date(2023, 2, 10), ended_on=date(2023, 2, 20))
    other = f.GroupFactory(group_type="ocg")
    f.MembershipFactory(nominal=world.n3, group=other, started_on=date(2023, 2, 1))
    scores_recompute()
    assert HarmScore.objects.get(area=world.s3, month=FEB, measure__code="ocg-priority-nominals").count == 1


def test_it_gives_the_same_cells_when_run_twice(world):
    scores_recompute()
    first = cells()
    run = scores_recompute()
    # Nothing changed, so nothing was written (rows_written counts cells inserted, changed or deleted).
    assert cells() == first and run.rows_written == 0


def test_it_recomputes_a_scope_exactly_as_a_full_recompute(world):
    scores_recompute()
    new = f.RecordFactory(place=world.n1b, offence_type=world.c, drug_supply=True, occurred_on=date(2023, 2, 20))
    before_other_months = cells(month=JAN)
    scoped = scores_recompute(area_ids=[world.n1b.pk], months=[FEB])
    assert scoped.scope == {"area_ids": [world.n1b.pk], "months": ["2023-02-01"]}
    after_scoped = cells()
    scores_recompute()
    assert cells() == after_scoped
    assert cells(month=JAN) == before_other_months
    assert harm(world.s1, "drug-supply", FEB) == 10.0 + 1000.0
    assert harm(world.force, "drug-supply", FEB) == 1010.0
    assert new.pk


def _nominal_grain_built(queries) -> bool:
    return any("home_area_id AS area_id" in q["sql"] for q in queries)


def test_a_scoped_run_leaves_the_nominal_months_alone_when_nothing_they_read_changed(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scores_recompute()
    nominal = cells(measure__source="nominals")
    assert nominal  # N3's months in S3
    f.RecordFactory(place=world.n1b, offence_type=world.a, drug_supply=True, occurred_on=date(2023, 2, 20))
    with CaptureQueriesContext(connection) as scoped:
        run = scores_recompute(area_ids=[world.n1b.pk], months=[FEB])
    assert not _nominal_grain_built(scoped.captured_queries)
    assert cells(measure__source="nominals") == nominal and run.nominal_inputs
    after = cells()
    scores_recompute()
    assert cells() == after


@pytest.mark.parametrize("change", ["membership", "home", "span"])
def test_a_scoped_run_recomputes_the_nominal_months_when_what_they_read_changed(world, change):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scores_recompute()
    month = FEB
    if change == "membership":  # an edit in the admin: no upload asked for a full run
        world.n3.memberships.update(ended_on=date(2023, 1, 31))
    elif change == "home":
        world.n3.__class__.objects.filter(pk=world.n3.pk).update(home_sector=world.s2, home_area=world.n2a)
    else:  # a record in a new month extends the months nominals are counted in
        month = date(2023, 6, 1)
    f.RecordFactory(place=world.n1b, offence_type=world.a, drug_supply=True, occurred_on=month.replace(day=9))
    with CaptureQueriesContext(connection) as scoped:
        scores_recompute(area_ids=[world.n1b.pk], months=[month])
    assert _nominal_grain_built(scoped.captured_queries)
    after = cells()
    scores_recompute()
    assert cells() == after


def test_it_leaves_cells_outside_the_scope_alone(world):
    scores_recompute()
    f.RecordFactory(place=world.n2a, offence_type=world.a, drug_supply=True, occurred_on=date(2023, 1, 5))
    scores_recompute(area_ids=[world.n1a.pk], months=[JAN])
    # S2 is outside the scope: stale on purpose; the force (which contains N1a) is recomputed.
    assert harm(world.s2, "drug-supply", JAN) == 0.0
    assert harm(world.force, "drug-supply", JAN) == 200.0


def test_it_deletes_cells_whose_records_are_gone(world):
    scores_recompute()
    world.r[5].delete()
    run = scores_recompute()
    assert not HarmScore.objects.filter(measure__code="drug-related-deaths").exists()
    # The death's cell and its item-set total at the neighbourhood, sector, command and force.
    assert run.rows_written == 8


def test_it_leaves_out_records_without_a_weight_and_counts_them(world):
    unweighted = f.OffenceTypeFactory(code="ZZ")
    f.RecordFactory(place=world.n1a, offence_type=unweighted, drug_supply=True, occurred_on=date(2023, 1, 3))
    run = scores_recompute()
    assert run.unweighted_records == 1
    assert HarmScore.objects.get(area=world.s1, month=JAN, measure__code="drug-supply").count == 1


def test_it_scores_policeuk_records_with_the_approximate_weight_in_the_context_measure(world, edition):
    approx = f.OffenceWeightFactory(edition=edition, weight=465.38,
                                    offence_type__code="policeuk:burglary", offence_type__is_approximation=True,
                                    offence_type__policeuk_crime_type="Burglary").offence_type
    f.RecordFactory(place=world.n2a, kind=RecordKind.POLICEUK, source="policeuk", offence_type=approx,
                    occurred_on=date(2023, 1, 1))
    scores_recompute()
    assert harm(world.s2, "all-crime-policeuk") == 465.38
    assert harm(world.s2, "drug-supply") == 0.0


def test_it_uses_the_same_few_queries_however_many_records(world, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoring.services import recompute

    with CaptureQueriesContext(connection) as few:
        scores_recompute()
    for _ in range(30):
        f.RecordFactory(place=world.n1a, offence_type=world.a, drug_supply=True, occurred_on=date(2023, 1, 3))
    with CaptureQueriesContext(connection) as many:
        scores_recompute()
    # The stored area views (scoring.services.stored_views) take a fixed number per area and window.
    assert len(many) == len(few)
    monkeypatch.setattr(recompute, "stored_views_refresh", lambda **_: None)
    with CaptureQueriesContext(connection) as scores:
        scores_recompute(views=False)
    # With the digest of the nominal inputs (5) and, on PostgreSQL, ANALYZE of the temporary tables (4)
    # and the planner settings of the run (5).
    assert len(scores) <= 52


def test_it_fails_loudly_without_an_active_edition(world, edition):
    edition.is_active = False
    edition.save(update_fields=["is_active"])
    with pytest.raises(NoActiveEdition):
        scores_recompute()
    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.FAILED and "load_css_weights" in run.error


def test_it_keeps_the_previous_scores_when_a_recompute_fails(world, monkeypatch):
    scores_recompute()
    before = cells()
    from scoring import sql

    monkeypatch.setattr(sql, "unweighted_count", lambda **kw: ("SELECT no_such_column FROM no_such_table", []))
    with pytest.raises(Exception):
        scores_recompute()
    assert cells() == before


def test_it_scores_a_record_that_lies_in_a_sector_but_in_no_neighbourhood(world):
    """Ingestion leaves ``area`` empty when no neighbourhood contains the point; the sector still counts it."""
    before = scores_recompute() and harm(world.force, "drug-supply")
    Record.objects.filter(sector=world.s3, drug_supply=True).update(area=None)
    scores_recompute()
    assert harm(world.force, "drug-supply") == before
    assert harm(world.s3, "drug-supply") > 0
