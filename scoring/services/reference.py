"""Changes to the scoring reference data (measures, offence weights, CSS editions), as the admin makes them.

Each change is audited and followed by a full recompute, so that no ranking
mixes scores computed before and after it. Measures and weights change
rarely, and which cells a change touches is hard to bound (a filter moves
records between measures; the overlap of measures changes every total):
correctness first, a full recompute every time.
"""
from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import audit_record
from core.models import AuditEvent
from scoring.models import CssEdition, Measure, OffenceWeight, ScoringRun
from scoring.services.recompute import css_edition_switch
from scoring.services.runs import scores_recompute_request_all


def _audit(*, user, object_type: str, object_id, detail: dict) -> None:
    audit_record(user=user, username=None if user is not None and user.is_authenticated else "(system)",
                 action=AuditEvent.Action.ADMIN_CHANGE, object_type=object_type, object_id=object_id,
                 detail=detail)


def measure_save(*, measure: Measure, user, changed_fields: list[str] | None = None) -> list[ScoringRun]:
    """Create or change a measure, audited, and queue a full recompute (one run per force where there are several)."""
    created = measure._state.adding
    measure.full_clean()
    with transaction.atomic():
        measure.save()
        _audit(user=user, object_type="measure", object_id=measure.pk,
               detail={"code": measure.code, "created": created, "fields": sorted(changed_fields or [])})
        return scores_recompute_request_all(requested_by=user)


def measure_delete(*, measure: Measure, user) -> list[ScoringRun]:
    """Delete a measure (its stored cells go with it), audited, and queue a full recompute of the totals."""
    with transaction.atomic():
        pk, code = measure.pk, measure.code
        measure.delete()
        _audit(user=user, object_type="measure", object_id=pk, detail={"code": code, "deleted": True})
        return scores_recompute_request_all(requested_by=user)


def offence_weight_save(*, weight: OffenceWeight, user,
                        changed_fields: list[str] | None = None) -> list[ScoringRun] | None:
    """Create or change an offence weight, audited; a full recompute if its edition is the active one.

    Only the active edition's weights are in any stored score, so a change to another edition's needs none.
    """
    created = weight._state.adding
    weight.full_clean()
    with transaction.atomic():
        weight.save()
        _audit(user=user, object_type="offence_weight", object_id=weight.pk,
               detail={"edition": weight.edition.code, "offence_type": weight.offence_type.code,
                       "weight": weight.weight, "created": created, "fields": sorted(changed_fields or [])})
        if CssEdition.objects.filter(pk=weight.edition_id, is_active=True).exists():
            return scores_recompute_request_all(requested_by=user)
    return None


def offence_weight_delete(*, weight: OffenceWeight, user) -> list[ScoringRun] | None:
    """Delete an offence weight, audited; a full recompute if its edition is the active one."""
    with transaction.atomic():
        pk, edition_id = weight.pk, weight.edition_id
        detail = {"edition": weight.edition.code, "offence_type": weight.offence_type.code, "deleted": True}
        weight.delete()
        _audit(user=user, object_type="offence_weight", object_id=pk, detail=detail)
        if CssEdition.objects.filter(pk=edition_id, is_active=True).exists():
            return scores_recompute_request_all(requested_by=user)
    return None


def css_edition_save(*, edition: CssEdition, user, changed_fields: list[str] | None = None) -> ScoringRun | None:
    """Create or change an edition, audited. Ticking "active" switches to it with css_edition_switch.

    The switch recomputes every score in the same transaction, so the previous
    edition stays active if the recompute fails. The active edition cannot be
    switched off here: one edition is always active (activate another instead).
    """
    created = edition._state.adding
    was_active = not created and CssEdition.objects.filter(pk=edition.pk, is_active=True).exists()
    if was_active and not edition.is_active:
        raise ValidationError({"is_active": "One edition is always active: activate another edition instead."})
    activate = edition.is_active and not was_active
    edition.is_active = was_active  # the switch below activates it, with the recompute
    edition.full_clean()
    with transaction.atomic():
        edition.save()
        _audit(user=user, object_type="css_edition", object_id=edition.pk,
               detail={"code": edition.code, "created": created, "fields": sorted(changed_fields or [])})
        if activate:
            run = css_edition_switch(code=edition.code, requested_by=user)
            edition.is_active = True
            return run
    return None


def css_edition_delete(*, edition: CssEdition, user) -> None:
    """Delete an edition that is not active, audited (no stored score uses it)."""
    if CssEdition.objects.filter(pk=edition.pk, is_active=True).exists():
        raise ValidationError("The active edition cannot be deleted: activate another edition first.")
    with transaction.atomic():
        pk, code = edition.pk, edition.code
        edition.delete()
        _audit(user=user, object_type="css_edition", object_id=pk, detail={"code": code, "deleted": True})
