"""The portal's error pages: a 404, 403 or 500 in the portal's look, never Django's technical page.

Production (DEBUG off) reaches them through the ``handler404``/``handler403``/``handler500`` of
``portal.urls``; demo mode (DEBUG on) through ``pages.middleware.ErrorPagesMiddleware``. The API
answers in JSON, as Django REST Framework does for the errors its views raise.
"""
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    # The same words for a page that does not exist and one that is not this user's to see.
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without its security token (usually a page left open past the session)."""
    if is_api(request):
        return JsonResponse({"detail": "CSRF Failed."}, status=403)
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    # No request context: whatever broke may be what a context processor needs (the database).
    return HttpResponseServerError(loader.get_template("500.html").render())
