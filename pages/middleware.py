from django.conf import settings
from django.http import Http404

from pages.views.errors import not_found


class ErrorPagesMiddleware:
    """With DEBUG on (demo mode), Django answers a 404 with its technical page, which lists every
    URL pattern; this serves the portal's own 404 page instead, for a view's Http404 and for a path
    no view handles. With DEBUG off Django already calls ``handler404``. A 403 reaches ``handler403``
    in both modes. A server error in DEBUG keeps Django's traceback page, for the developer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return not_found(request)  # the technical "no URL pattern matched" page
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found(request, exception)
        return None
