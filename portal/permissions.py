from django.http import Http404

from portal import roles


def require_governance(user) -> None:
    """The audit trail is for governance leads only; anyone else gets a 404."""
    if not (roles.has_role(user, roles.GOVERNANCE) or user.is_superuser):
        raise Http404("Not found")
