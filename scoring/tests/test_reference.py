"""Admin changes to measures, offence weights and editions: audited, and followed by a full recompute."""
import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from scoring.models import CssEdition, HarmScore, Measure, OffenceWeight, ScoringRun
from scoring.services import (
    css_edition_save,
    measure_delete,
    measure_save,
    offence_weight_delete,
    offence_weight_save,
    scoring_run_execute,
)
from tests import factories as f


def _admin_changes(object_type):
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.ADMIN_CHANGE, object_type=object_type).order_by("id")
                .values_list("object_id", "detail"))


def test_it_audits_a_measure_change_and_requests_a_full_recompute(world, administrator,
                                                                  django_capture_on_commit_callbacks):
    measure = Measure.objects.get(code="drug-supply")
    measure.fixed_weight, measure.weighting = 5.0, Measure.Weighting.FIXED
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [run] = measure_save(measure=measure, user=administrator, changed_fields=["weighting", "fixed_weight"])
    assert (run.status, run.scope, run.requested_by) == (ScoringRun.Status.QUEUED, {}, administrator)
    assert len(callbacks) == 1
    assert _admin_changes("measure") == [(str(measure.pk), {"code": "drug-supply", "created": False,
                                                             "fields": ["fixed_weight", "weighting"]})]
    scoring_run_execute(run_id=run.pk)  # what the worker does with it: the cells follow the new weighting
    assert HarmScore.objects.get(area=world.s1, month=world.r[1].month, measure=measure).harm == 5.0


def test_it_validates_a_measure_before_saving_it(world, administrator):
    measure = Measure(code="bad", name="Bad", description="x", source=Measure.Source.NOMINALS,
                      nominal_roles="boss", weighting=Measure.Weighting.FIXED, fixed_weight=1.0,
                      harm_type=Measure.HarmType.POLICE)
    with pytest.raises(ValidationError):
        measure_save(measure=measure, user=administrator)
    assert not Measure.objects.filter(code="bad").exists() and not ScoringRun.objects.exists()


def test_it_audits_a_measure_deletion_and_requests_a_full_recompute(world, administrator,
                                                                    django_capture_on_commit_callbacks):
    measure = Measure.objects.get(code="firearms-intel")
    pk = measure.pk
    with django_capture_on_commit_callbacks(execute=False):
        [run] = measure_delete(measure=measure, user=administrator)
    assert run.scope == {} and not Measure.objects.filter(pk=pk).exists()
    assert _admin_changes("measure") == [(str(pk), {"code": "firearms-intel", "deleted": True})]


def test_it_recomputes_after_a_weight_change_in_the_active_edition_only(world, administrator,
                                                                         django_capture_on_commit_callbacks):
    weight = OffenceWeight.objects.get(edition=world.edition, offence_type=world.a)
    weight.weight = 150.0
    with django_capture_on_commit_callbacks(execute=False):
        [run] = offence_weight_save(weight=weight, user=administrator, changed_fields=["weight"])
    assert run.scope == {}
    other = f.OffenceWeightFactory(edition=f.CssEditionFactory(code="next-css"), offence_type=world.a,
                                   weight=1.0)
    other.weight = 2.0
    assert offence_weight_save(weight=other, user=administrator, changed_fields=["weight"]) is None
    assert offence_weight_delete(weight=other, user=administrator) is None
    assert ScoringRun.objects.count() == 1
    assert [d.get("weight", "deleted") for _, d in _admin_changes("offence_weight")] == [150.0, 2.0, "deleted"]


def test_it_refuses_a_negative_weight(world, administrator):
    weight = OffenceWeight.objects.get(edition=world.edition, offence_type=world.a)
    weight.weight = -1.0
    with pytest.raises(ValidationError):
        offence_weight_save(weight=weight, user=administrator)
    assert OffenceWeight.objects.get(pk=weight.pk).weight == 100.0


def test_it_activates_an_edition_by_switching_to_it_with_a_full_recompute(world, administrator):
    new = f.CssEditionFactory(code="css-2025")
    f.OffenceWeightFactory(edition=new, offence_type=world.a, weight=7.0)
    new.is_active = True
    run = css_edition_save(edition=new, user=administrator, changed_fields=["is_active"])
    assert run.status == ScoringRun.Status.DONE and run.edition == new
    assert list(CssEdition.objects.filter(is_active=True)) == [new]
    assert set(HarmScore.objects.values_list("edition_id", flat=True)) == {new.pk}
    details = [d for _, d in _admin_changes("css_edition")]
    assert {"code": "css-2025", "created": False, "fields": ["is_active"]} in details
    assert {"activated": "css-2025", "run": run.pk} in details


def test_it_keeps_one_edition_active(world, administrator):
    world.edition.is_active = False
    with pytest.raises(ValidationError):
        css_edition_save(edition=world.edition, user=administrator, changed_fields=["is_active"])
    assert CssEdition.objects.get(pk=world.edition.pk).is_active


def test_it_saves_a_measure_changed_in_the_admin_through_the_service(client, world, administrator,
                                                                     django_capture_on_commit_callbacks):
    measure = Measure.objects.get(code="firearms-intel")
    client.force_login(administrator)
    form = {field: getattr(measure, field) for field in (
        "code", "name", "description", "source", "record_kind", "flag", "linked_group_type", "nominal_roles",
        "weighting", "fixed_weight", "weight_rationale", "harm_type", "display_order")}
    form.update(fixed_weight="500.5", is_active="on")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/admin/scoring/measure/{measure.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Measure.objects.get(pk=measure.pk).fixed_weight == 500.5
    assert _admin_changes("measure")[0][1]["fields"] == ["fixed_weight"]
    assert ScoringRun.objects.get().scope == {}


def test_it_activates_an_edition_ticked_in_the_admin(client, world, administrator):
    new = f.CssEditionFactory(code="css-2026")
    client.force_login(administrator)
    response = client.post(f"/admin/scoring/cssedition/{new.pk}/change/",
                           {"code": new.code, "label": new.label, "source": new.source, "activate": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CssEdition.objects.get(is_active=True) == new
    assert ScoringRun.objects.get().edition == new

    response = client.post(f"/admin/scoring/cssedition/{new.pk}/change/",
                           {"code": new.code, "label": new.label, "source": new.source})
    assert response.status_code == 200 and "activate another edition instead" in response.content.decode()
    assert CssEdition.objects.get(pk=new.pk).is_active
