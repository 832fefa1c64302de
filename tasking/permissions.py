"""Who may see and do what with activities, tasking packs, actions and impact.

The permissions are named once, in core.roles. Anything a user may not see is a 404, exactly as
if it did not exist.
"""
from django.http import Http404

from core import roles
from tasking.models import Action, Activity, TaskingPack


def _has(user, perm: str) -> bool:
    return user is not None and user.is_authenticated and user.has_perm(perm)


def can_see_activities(user) -> bool:
    return _has(user, roles.ACTIVITIES)


def can_record_activity(user) -> bool:
    return _has(user, roles.RECORD_ACTIVITY)


def can_see_packs(user) -> bool:
    return _has(user, roles.PACKS)


def can_prepare_pack(user) -> bool:
    return _has(user, roles.PREPARE_PACK)


def can_export_pack(user) -> bool:
    return _has(user, roles.EXPORT_PACK)


def can_see_impact(user) -> bool:
    return _has(user, roles.IMPACT)


def can_update_action(user, action: Action) -> bool:
    """Anyone holding the permission, and the action's owner (who may not hold it) while they see packs."""
    return _has(user, roles.CHANGE_ACTIONS) or (can_see_packs(user) and action.owner_id == user.pk)


def access_activity(user, activity_id) -> Activity:
    if not can_see_activities(user):
        raise Http404("No such activity")
    try:
        return Activity.objects.select_related("organisation").get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity") from None


def access_pack(user, pack_id) -> TaskingPack:
    if not can_see_packs(user):
        raise Http404("No such pack")
    try:
        return TaskingPack.objects.select_related("edition", "run", "prepared_by").get(pk=pack_id)
    except (TaskingPack.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pack") from None


def access_action(user, action_id) -> Action:
    """An action the user may update (others get a 404 for it)."""
    try:
        action = Action.objects.select_related("pack", "area", "group", "owner").get(pk=action_id)
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404("No such action") from None
    if not can_update_action(user, action):
        raise Http404("No such action")
    return action
