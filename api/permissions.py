"""Who may use the API: those who may see the rankings. Anyone else who is logged in gets 404, as on
the pages; an anonymous client gets 403 (no credentials)."""
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from scoring.permissions import can_see_rankings


class MaySeeRankings(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not can_see_rankings(request.user):
            raise NotFound()
        return True
