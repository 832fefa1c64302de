"""The admin answers 404, not 403, for what a staff user may not see, as every page of the portal does."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.defaults import page_not_found


class AdminNotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and request.path_info.startswith("/admin/"):
            return page_not_found(request, Http404())
        return None
