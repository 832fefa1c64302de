"""Who may research nominals and groups.

Analysts (``nominals.view_nominal``) may; a restricted nominal is visible only
to a user granted ``view_restricted_nominal`` on it (or globally). Anything a
user may not see is a 404, exactly as if it did not exist.
"""
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from nominals.models import Group, Nominal
from portal.audit import audit_record
from portal.models import AuditEvent

VIEW_NOMINAL = "nominals.view_nominal"
VIEW_RESTRICTED = "nominals.view_restricted_nominal"


def can_research(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_NOMINAL)


def nominals_visible(user) -> QuerySet[Nominal]:
    if not can_research(user):
        return Nominal.objects.none()
    if user.has_perm(VIEW_RESTRICTED):
        return Nominal.objects.all()
    granted = get_objects_for_user(user, VIEW_RESTRICTED, klass=Nominal, accept_global_perms=False)
    return Nominal.objects.filter(Q(is_restricted=False) | Q(pk__in=granted.values("pk")))


def access_nominal(user, nominal_id) -> Nominal:
    try:
        return nominals_visible(user).select_related("home_sector", "home_area").get(pk=nominal_id)
    except (Nominal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such nominal") from None


def access_group(user, group_id) -> Group:
    if not can_research(user):
        raise Http404("No such group")
    try:
        return Group.objects.get(pk=group_id)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group") from None


def nominal_access_grant(*, user, nominal: Nominal, granted_by, revoke: bool = False) -> None:
    """Grant (or revoke) one user sight of one restricted nominal. Audited."""
    (remove_perm if revoke else assign_perm)("view_restricted_nominal", user, nominal)
    audit_record(
        user=granted_by, action=AuditEvent.Action.PERMISSION_CHANGE, object_type="nominal", object_id=nominal.pk,
        detail={"permission": VIEW_RESTRICTED, "user": user.get_username(), "revoked": revoke},
    )
