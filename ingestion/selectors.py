from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from core import roles
from ingestion.models import Upload


def uploads_visible(*, user) -> QuerySet[Upload]:
    """Analysts see every upload; partners see their organisation's only (object permissions)."""
    if not user.is_authenticated:
        return Upload.objects.none()
    if user.has_perm(roles.ALL_UPLOADS):
        return Upload.objects.all()
    return get_objects_for_user(user, roles.ALL_UPLOADS, klass=Upload, accept_global_perms=False)
