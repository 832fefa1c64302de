"""Who may use the API: those who may see the rankings. Anyone else who is logged in gets 404, as on
the pages; an anonymous client gets 403 (no credentials)."""
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from ingestion.permissions import access_upload, can_use_uploads
from nominals.permissions import can_research
from records.permissions import record_sector_ids
from scoring.permissions import can_see_rankings
from tasking.permissions import can_see_activities, can_see_packs


class MaySeeRankings(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not can_see_rankings(request.user):
            raise NotFound()
        return True


class MayReadSomeRecords(MaySeeRankings):
    """Those who may read the raw records of at least one area (analysts, officers granted a sector)."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if record_sector_ids(request.user) == set():
            raise NotFound()
        return True


class MayUseUploads(BasePermission):
    """Those who may send files (analysts, partners): the upload pages' audience. Others get 404."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not can_use_uploads(request.user):
            raise NotFound()
        return True


class MayReadUpload(MayUseUploads):
    """The upload of the URL, if this user may see it (ingestion.permissions.access_upload), checked before
    the method is, so a refusal is a 404 whatever the method. The view finds it on ``request.accessed``."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        request.accessed = access_upload(request.user, view.kwargs["upload_id"])
        return True


class MaySeeActivities(BasePermission):
    """The activity register's audience (tasking.permissions.can_see_activities); others get 404."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not can_see_activities(request.user):
            raise NotFound()
        return True


class MaySeePacks(BasePermission):
    """The tasking packs' audience (tasking.permissions.can_see_packs); others get 404."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not can_see_packs(request.user):
            raise NotFound()
        return True


class MayResearch(BasePermission):
    """Who may research groups, nominals and the network (nominals.permissions.can_research), as on the
    pages; others get 404."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not can_research(request.user):
            raise NotFound()
        return True
