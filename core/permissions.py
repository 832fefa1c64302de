from django.http import Http404

from core import roles


def can_audit(user) -> bool:
    return user is not None and user.is_authenticated and user.has_perm(roles.AUDIT)


def require_governance(user) -> None:
    """The audit trail is for governance leads only; anyone else gets a 404."""
    if not can_audit(user):
        raise Http404("Not found")
