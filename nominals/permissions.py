"""Who may research nominals and groups.

Analysts (``nominals.view_nominal``) may; a restricted nominal is visible only
to a user granted ``view_restricted_nominal`` on it (or globally). Anything a
user may not see is a 404, exactly as if it did not exist.
"""
from django.db.models import Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from core import roles
from nominals.models import Group, Nominal

VIEW_NOMINAL = roles.NOMINALS
VIEW_GROUP = roles.GROUPS
VIEW_RESTRICTED = "nominals.view_restricted_nominal"


def can_research(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_NOMINAL)


def nominals_visible(user) -> QuerySet[Nominal]:
    if not can_research(user):
        return Nominal.objects.none()
    return nominals_countable(user)


def nominals_countable(user) -> QuerySet[Nominal]:
    """The nominals that may be counted in figures shown to the user, without naming anyone.

    Every unrestricted nominal, and the restricted ones granted to the user (one by one, or all).
    Whether anyone may be named is can_research's question, asked apart.
    """
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
    if not (user.is_authenticated and user.has_perm(VIEW_GROUP)):
        raise Http404("No such group")
    try:
        return Group.objects.get(pk=group_id)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group") from None
