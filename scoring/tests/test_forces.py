"""Two forces in one database: each force's records keep their own references and are scored apart.

The tables that grow with the records carry the force (docs/scale.md, section 4). Here two force
roots each hold a command > sector > neighbourhood; the same (source, external_ref, month) exists
in both; a full recompute scores each force from its own records only, and a recompute scoped to
one force's areas leaves the other force's cells and totals as they were.
"""
from django.db import transaction

from nominals.models import LinkRole
from records.models import Record
from scoring.models import HarmScore, RecordCount, TotalScore
from scoring.services import scores_recompute
from scoring.tests.conftest import FEB, JAN
from sectors.models import Level
from tests import factories as f
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
