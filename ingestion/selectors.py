from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from ingestion.models import Upload
from portal import roles


def uploads_visible(*, user) -> QuerySet[Upload]:
    """Analysts see every upload; partners see their organisation's only (object permissions)."""
    if roles.has_role(user, roles.ANALYST) or user.is_superuser:
        return Upload.objects.all()
    if roles.has_role(user, roles.PARTNER):
        return get_objects_for_user(user, "ingestion.view_upload", klass=Upload, accept_global_perms=False)
    return Upload.objects.none()
