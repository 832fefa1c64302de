"""Recording and updating the actions a tasking meeting agreed: the only writer of Action.

An action is on an area or a group (or both), owned by a user who sees packs or by an organisation
(a partner agency), due on a date, with a status and the activities that carried it out. Its pack
stays frozen: an action is the one part of a meeting that changes afterwards.
"""
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent
from tasking.models import Action, ActionStatus, Activity, TaskingPack
from tasking.permissions import can_see_packs


def _validate(*, description: str, area, group, owner, owner_organisation, due_on, status: str) -> None:
    errors = {}
    if not description or not description.strip():
        errors["description"] = "is required"
    if area is None and group is None:
        errors["area"] = "choose the area or the group the action is on"
    if owner is None and owner_organisation is None:
        errors["owner"] = "choose an owner: a person or an organisation"
    elif owner is not None and not can_see_packs(owner):
        errors["owner"] = f"{owner.get_username()} cannot see tasking packs, so could not see the action"
    if not isinstance(due_on, date):
        errors["due_on"] = "is required"
    if status not in ActionStatus.values:
        errors["status"] = f"{status!r} is not a status ({', '.join(ActionStatus.values)})"
    if errors:
        raise ValidationError(errors)


def _audit(user, action: Action, operation: str, activity_ids: list[int], changed: dict | None = None) -> None:
    audit_record(user=user, action=AuditEvent.Action.ADMIN_CHANGE, object_type="tasking_action", object_id=action.pk,
                 detail={"operation": operation, "pack": action.pack_id, "status": action.status,
                         "due_on": action.due_on.isoformat(), "owner": action.owner_id,
                         "owner_organisation": action.owner_organisation_id, "area": action.area_id,
                         "group": action.group_id, "activities": activity_ids, **({"changed": changed} if changed
                                                                                   else {})})


def _activity_ids(activities: Iterable) -> list[int]:
    ids = sorted({a.pk if isinstance(a, Activity) else int(a) for a in activities})
    if len(ids) != Activity.objects.filter(pk__in=ids).count():
        raise ValidationError({"activities": "no such activity"})
    return ids


def action_create(*, user, pack: TaskingPack, description: str, due_on: date, area=None, group=None, owner=None,
                  owner_organisation=None, status: str = ActionStatus.OPEN, activities: Iterable = ()) -> Action:
    _validate(description=description, area=area, group=group, owner=owner, owner_organisation=owner_organisation,
              due_on=due_on, status=status)
    ids = _activity_ids(activities)
    with transaction.atomic():
        action = Action.objects.create(pack=pack, description=description.strip(), area=area, group=group,
                                       owner=owner, owner_organisation=owner_organisation, due_on=due_on,
                                       status=status)
        action.activities.set(ids)
        _audit(user, action, "create", ids)
    return action


def action_update(*, user, action: Action, status: str, due_on: date, owner=None, owner_organisation=None,
                  activities: Iterable = ()) -> Action:
    """Status, due date, owner and linked activities; what the meeting agreed (description, target) stays."""
    _validate(description=action.description, area=action.area, group=action.group, owner=owner,
              owner_organisation=owner_organisation, due_on=due_on, status=status)
    ids = _activity_ids(activities)
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        fields = {"status": status, "due_on": due_on, "owner": owner, "owner_organisation": owner_organisation}
        changed = {name: str(getattr(action, name)) for name, value in fields.items() if getattr(action, name) != value}
        for name, value in fields.items():
            setattr(action, name, value)
        action.updated_at = timezone.now()
        action.save(update_fields=[*fields, "updated_at"])
        action.activities.set(ids)
        _audit(user, action, "update", ids, changed)
    return action
