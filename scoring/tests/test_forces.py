"""Two forces in one database: each force's records keep their own references and are scored apart.

The tables that grow with the records carry the force (docs/scale.md, section 4). Here two force
roots each hold a command > sector > neighbourhood; the same (source, external_ref, month) exists
in both; a full recompute scores each force from its own records only, and a recompute scoped to
one force's areas leaves the other force's cells and totals as they were.
"""
from datetime import date

from django.db import transaction

from nominals.models import LinkRole, Membership
from records.models import Record
from scoring.models import AreaView, HarmScore, RecordCount, ScoringRun, TotalScore
from scoring.services import (
    scores_recompute,
    scores_recompute_request_all,
    scoring_run_execute,
    scoring_runs_failed,
)
from scoring.tests.conftest import FEB, JAN, MAR
from sectors.models import Level
from tests import factories as f
from tests.factories import csv_bytes
from tests.world import square


def _force(code: str, lon: float) -> dict:
    force = f.AreaFactory(level=Level.FORCE, code=code, name=f"Force {code}", boundary=square(lon, 54.9, 0.2, 0.2))
    command = f.AreaFactory(level=Level.COMMAND, code=f"{code}C", parent=force, boundary=square(lon, 54.9, 0.2, 0.2))
    sector = f.AreaFactory(level=Level.SECTOR, code=f"{code}S", parent=command, boundary=square(lon, 54.9, 0.2, 0.2))
    hood = f.AreaFactory(level=Level.NEIGHBOURHOOD, code=f"{code}N", parent=sector,
                         boundary=square(lon, 54.9, 0.2, 0.2))
    return {"force": force, "command": command, "sector": sector, "hood": hood}


def _stored(model, force) -> dict:
    """The force's stored rows by key: the numbers, the row's id and the run that last wrote it."""
    key = ("area_id", "month", "measure_id") if model is HarmScore else ("area_id", "month", "measures")
    numbers = ("count", "harm") if model is HarmScore else ("count", "css_harm")
    return {tuple(row[:3]): (row[3], round(row[4], 6), row[5], row[6])
            for row in model.objects.filter(force=force).values_list(*key, *numbers, "pk", "run_id")}


def _numbers(stored: dict) -> dict:
    return {k: v[:2] for k, v in stored.items()}


def _two_forces(edition):
    """Each force: two crimes, CR1 and CR2 in January, linked to an OCG member living there. Force B's
    crimes weigh ten times more."""
    a, b = _force("FA", -1.8), _force("FB", -1.4)
    light = f.OffenceWeightFactory(edition=edition, offence_type__code="A", weight=100.0).offence_type
    heavy = f.OffenceWeightFactory(edition=edition, offence_type__code="C", weight=1000.0).offence_type
    for side, offence in ((a, light), (b, heavy)):
        member = f.MembershipFactory(group__group_type="ocg", started_on=JAN, nominal__home=side["hood"]).nominal
        for ref in ("CR1", "CR2"):
            record = f.RecordFactory(place=side["hood"], external_ref=ref, occurred_on=JAN.replace(day=5),
                                     offence_type=offence)
            f.RecordNominalFactory(record=record, nominal=member, role=LinkRole.SUSPECT)
    return a, b, heavy


LINKED = {"measure__code": "ocg-linked-crime"}


def test_it_keeps_two_forces_records_with_the_same_reference_apart(edition):
    a, b, _ = _two_forces(edition)
    assert Record.objects.filter(source="force", external_ref="CR1", month=JAN).count() == 2
    assert set(Record.objects.values_list("force__code", flat=True)) == {"FA", "FB"}
    # The link carries its record's force.
    assert set(Record.objects.get(force=b["force"], external_ref="CR1").nominal_links.values_list(
        "force_id", flat=True)) == {b["force"].pk}


def test_it_scores_each_force_from_its_own_records(edition):
    a, b, _ = _two_forces(edition)
    scores_recompute()
    for side, weight in ((a, 100.0), (b, 1000.0)):
        cells = HarmScore.objects.filter(force=side["force"], month=JAN, **LINKED)
        # A cell at every level of the force's own tree, each holding its two crimes only.
        assert sorted(cells.values_list("area_id", flat=True)) == sorted(side[k].pk for k in side)
        assert {(c.count, round(c.harm, 6)) for c in cells} == {(2, 2 * weight)}
        # The member is counted in the force of their home.
        members = HarmScore.objects.filter(measure__code="ocg-priority-nominals", month=JAN, area=side["force"])
        assert [(c.force_id, c.count) for c in members] == [(side["force"].pk, 1)]
    assert not HarmScore.objects.filter(area=a["force"]).exclude(force=a["force"]).exists()
    assert set(TotalScore.objects.values_list("force_id", flat=True)) == {a["force"].pk, b["force"].pk}
    assert set(RecordCount.objects.filter(area=a["sector"]).values_list("force_id", flat=True)) == {a["force"].pk}


def test_a_recompute_of_one_force_leaves_the_other_forces_cells_untouched(edition):
    a, b, heavy = _two_forces(edition)
    first = scores_recompute()
    b_cells, b_totals = _stored(HarmScore, b["force"]), _stored(TotalScore, b["force"])
    assert b_cells and b_totals
    # Force A's CR2 changes offence (within the records' months: a new month would add a month of
    # nominals in every force); then a run scoped to force A's areas.
    Record.objects.filter(force=a["force"], external_ref="CR2").update(offence_type=heavy)
    scoped = scores_recompute(area_ids=[a["hood"].pk], months=[JAN])
    assert scoped.pk != first.pk
    assert _stored(HarmScore, b["force"]) == b_cells  # same rows, same numbers, same run
    assert _stored(TotalScore, b["force"]) == b_totals
    a_cells = _stored(HarmScore, a["force"])
    assert any(run == scoped.pk for *_, run in a_cells.values())
    # And what the scoped run left is what a full recompute gives, for both forces.
    with transaction.atomic():
        scoped_numbers = {side: _numbers(_stored(HarmScore, side)) for side in (a["force"], b["force"])}
        scores_recompute()
        assert {side: _numbers(_stored(HarmScore, side)) for side in scoped_numbers} == scoped_numbers
        transaction.set_rollback(True)


def test_it_scores_a_record_moved_between_months_in_its_force_only(edition):
    a, b, _ = _two_forces(edition)
    scores_recompute()
    Record.objects.filter(force=a["force"], external_ref="CR1").update(occurred_on=FEB.replace(day=1), month=FEB)
    scores_recompute(area_ids=[a["hood"].pk], months=[JAN, FEB])
    feb = HarmScore.objects.filter(month=FEB, area=a["force"], **LINKED)
    assert [(c.count, round(c.harm, 6)) for c in feb] == [(1, 100.0)]
    jan_b = HarmScore.objects.get(month=JAN, area=b["force"], **LINKED)
    assert (jan_b.count, round(jan_b.harm, 6)) == (2, 2000.0)
    assert not HarmScore.objects.filter(month=FEB, force=b["force"], **LINKED).exists()


# Uploads naming their force, and runs of one force (docs/scale.md, section 4).

CRIME_HEADER = ["reference", "offence_code", "date", "latitude", "longitude", "easting", "northing", "drug_supply",
                "cannabis_farm", "firearms_discharge", "nominals"]
APR = date(2023, 4, 1)


def _crimes(lon: str, rows) -> bytes:
    return csv_bytes([CRIME_HEADER, *[[ref, code, day, "55.0", lon, "", "", drugs, farm, "", links]
                                      for ref, code, day, drugs, farm, links in rows]])


def _uploaded_forces(edition, ingest):
    """Two forces, each with an OCG member at home and a crimes upload of its own. Force A's crimes are
    in January and February, force B's in January and March: each force's nominals are counted over
    its own records' months."""
    a, b = _force("FA", -1.8), _force("FB", -1.4)
    f.OffenceWeightFactory(edition=edition, offence_type__code="A", weight=100.0)
    f.OffenceWeightFactory(edition=edition, offence_type__code="C", weight=1000.0)
    for side, ref in ((a, "MA"), (b, "MB")):
        f.MembershipFactory(group__group_type="ocg", started_on=date(2022, 6, 1), nominal__ref=ref,
                            nominal__home=side["hood"])
    uploads = {
        "a": ingest("crimes", _crimes("-1.7", [("CR1", "A", "2023-01-10", "N", "N", "MA:suspect"),
                                               ("CR2", "C", "2023-02-05", "Y", "N", "")]), force_area=a["force"]),
        "b": ingest("crimes", _crimes("-1.3", [("CR1", "C", "2023-01-12", "N", "N", "MB:suspect"),
                                               ("CR2", "A", "2023-03-20", "N", "Y", "")]), force_area=b["force"],
                    name="b.csv"),
    }
    assert [u.status for u in uploads.values()] == ["applied", "applied"], [u.errors for u in uploads.values()]
    return a, b, uploads


def _rows(force=None) -> dict:
    """Every stored row of the derived tables (of one force), by table and key: its numbers."""
    scope = {} if force is None else {"force": force}
    return {
        "cells": {row[:4]: (row[4], round(row[5], 6), round(row[6], 6), round(row[7], 6), row[8])
                  for row in HarmScore.objects.filter(**scope).values_list(
                      "force_id", "area_id", "month", "measure_id", "count", "harm", "harm_sq", "max_item_harm",
                      "edition_id")},
        "totals": {row[:4]: (row[4], row[5], row[6], round(row[7], 6), round(row[8], 6), row[9])
                   for row in TotalScore.objects.filter(**scope).values_list(
                       "force_id", "area_id", "month", "measures", "item_type", "count", "css_count", "css_harm",
                       "css_harm_sq", "edition_id")},
        "counts": {row[:5]: row[5:] for row in RecordCount.objects.filter(**scope).values_list(
            "force_id", "level", "area_id", "month", "kind", "count", "drug_supply", "cannabis_farm",
            "firearms_discharge", "is_synthetic")},
        "views": {row[:5]: row[5:] for row in AreaView.objects.filter(**scope).values_list(
            "force_id", "area_id", "start", "end", "kind", "measures", "edition_id", "data")},
    }


def _written(force) -> dict:
    """The force's stored rows with their ids and the run that wrote them (a run of another force must not touch them)."""
    return {
        "cells": set(HarmScore.objects.filter(force=force).values_list("pk", "area_id", "month", "measure_id",
                                                                       "count", "harm", "run_id")),
        "totals": set(TotalScore.objects.filter(force=force).values_list("pk", "area_id", "month", "measures",
                                                                         "count", "css_harm", "run_id")),
        "counts": set(RecordCount.objects.filter(force=force).values_list("pk", "area_id", "month", "kind", "count")),
        "views": set(AreaView.objects.filter(force=force).values_list("pk", "area_id", "start", "end", "kind",
                                                                      "run_id")),
    }


def test_each_upload_queues_a_recompute_of_its_own_force_that_writes_that_force_only(edition, ingest):
    a, b, uploads = _uploaded_forces(edition, ingest)
    runs = {run.force_id: run for run in ScoringRun.objects.filter(status=ScoringRun.Status.QUEUED)}
    assert set(runs) == {a["force"].pk, b["force"].pk}
    for side in (a, b):
        assert set(runs[side["force"].pk].scope["area_ids"]) <= {area.pk for area in side.values()}
    scoring_run_execute(run_id=runs[a["force"].pk].pk)
    assert not HarmScore.objects.filter(force=b["force"]).exists()
    assert set(HarmScore.objects.values_list("force_id", flat=True)) == {a["force"].pk}
    before = _written(a["force"])
    scoring_run_execute(run_id=runs[b["force"].pk].pk)
    assert _written(a["force"]) == before  # same rows, same ids, same runs
    linked = HarmScore.objects.get(area=b["force"], month=JAN, **LINKED)
    assert (linked.count, round(linked.harm, 6), linked.run_id) == (1, 1000.0, runs[b["force"].pk].pk)


def test_a_full_run_per_force_stores_exactly_what_a_run_of_every_force_stores(edition, ingest):
    a, b, _ = _uploaded_forces(edition, ingest)
    every = scores_recompute()
    assert every.force_id is None
    expected = _rows()
    assert all(expected.values())
    # Each force's nominals are counted over its own records' months: B's member in March, A's not.
    members = set(HarmScore.objects.filter(measure__code="ocg-priority-nominals", area__level=Level.FORCE)
                  .values_list("force_id", "month"))
    assert members == {(a["force"].pk, JAN), (a["force"].pk, FEB), (b["force"].pk, JAN), (b["force"].pk, FEB),
                       (b["force"].pk, MAR)}
    for model in (HarmScore, TotalScore, RecordCount, AreaView):
        model.objects.all().delete()
    with transaction.atomic():
        runs = scores_recompute_request_all()
    assert sorted(run.force_id for run in runs) == sorted([a["force"].pk, b["force"].pk])
    assert all(run.scope == {} for run in runs)
    for run in runs:
        assert scoring_run_execute(run_id=run.pk).status == ScoringRun.Status.DONE
    got = _rows()
    for table in ("cells", "totals", "counts"):
        assert got[table] == expected[table], table  # every row, key and numbers
    # The area pages' standard windows end at the deployment's last scored month: force A's run, first on
    # empty tables, stored the windows ending in February; its next run stores those ending in March.
    assert got["views"] != expected["views"]
    scores_recompute(force_id=runs[0].force_id)
    assert _rows() == expected
    # And a run of every force after them changes nothing.
    again = scores_recompute()
    assert _rows() == expected and not HarmScore.objects.filter(run=again).exists()


def test_a_run_of_one_force_leaves_every_row_of_the_other_force_as_it_was(edition, ingest):
    a, b, _ = _uploaded_forces(edition, ingest)
    scores_recompute()
    theirs = _written(b["force"])
    assert all(theirs.values())
    # Force A gains a crime in April: a month more of its records, so a month more of its nominals.
    upload = ingest("crimes", _crimes("-1.7", [("CR3", "C", "2023-04-02", "N", "N", "MA:suspect")]),
                    force_area=a["force"], name="a2.csv")
    run = ScoringRun.objects.filter(status=ScoringRun.Status.QUEUED).latest("pk")  # the upload's
    assert (upload.status, run.force_id, run.scope["months"]) == ("applied", a["force"].pk, ["2023-04-01"])
    scoring_run_execute(run_id=run.pk)
    assert _written(b["force"]) == theirs
    assert HarmScore.objects.filter(force=a["force"], month=APR, area=a["force"],
                                    measure__code="ocg-priority-nominals").exists()
    assert not HarmScore.objects.filter(month=APR, force=b["force"]).exists()
    # What the run of one force left is what a run of every force gives: every row of force A, and
    # every score of force B. (Force B's area views keep the windows ending in March, the last scored
    # month when they were stored; a run of every force stores B's for the windows ending in April.)
    with transaction.atomic():
        left, left_a = _rows(), _rows(a["force"])
        scores_recompute()
        assert _rows(a["force"]) == left_a
        assert {k: v for k, v in _rows().items() if k != "views"} == {k: v for k, v in left.items() if k != "views"}
        transaction.set_rollback(True)


def test_each_force_has_its_own_nominal_inputs(edition, ingest):
    a, b, _ = _uploaded_forces(edition, ingest)
    scores_recompute()
    first_a = scores_recompute(force_id=a["force"].pk, area_ids=[a["hood"].pk], months=[JAN])
    first_b = scores_recompute(force_id=b["force"].pk, area_ids=[b["hood"].pk], months=[JAN])
    assert first_a.nominal_inputs != first_b.nominal_inputs
    # Force B's member leaves the group: force A's digest is unchanged, force B's is not.
    Membership.objects.filter(nominal__ref="MB").update(ended_on=date(2023, 1, 31))
    again_a = scores_recompute(force_id=a["force"].pk, area_ids=[a["hood"].pk], months=[JAN])
    assert again_a.nominal_inputs == first_a.nominal_inputs
    assert HarmScore.objects.filter(force=b["force"], month=FEB, measure__code="ocg-priority-nominals").exists()
    again_b = scores_recompute(force_id=b["force"].pk, area_ids=[b["hood"].pk], months=[JAN])
    assert again_b.nominal_inputs != first_b.nominal_inputs
    assert not HarmScore.objects.filter(force=b["force"], month=FEB, measure__code="ocg-priority-nominals").exists()
    with transaction.atomic():
        left = _rows()
        scores_recompute()
        assert _rows() == left
        transaction.set_rollback(True)


def test_a_full_run_of_a_force_supersedes_that_forces_failed_runs_only(edition, ingest):
    a, b, _ = _uploaded_forces(edition, ingest)
    failed = [ScoringRun.objects.create(status=ScoringRun.Status.FAILED, force=side["force"],
                                        scope={"area_ids": [side["hood"].pk], "months": ["2023-01-01"]})
              for side in (a, b)]
    scores_recompute(force_id=a["force"].pk)
    assert list(scoring_runs_failed()) == [failed[1]]
    scores_recompute()
    assert not scoring_runs_failed().exists()
