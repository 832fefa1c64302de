from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

from portal.audit import current_request

# Pages anyone may open. Everything else needs a logged-in user.
PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/healthz")


class LoginRequiredMiddleware:
    """Sends anonymous requests to the login page (API calls get a 403 JSON body)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not request.user.is_authenticated and not path.startswith(PUBLIC_PREFIXES):
            if path.startswith("/api/"):
                return JsonResponse({"detail": "Authentication credentials were not provided."}, status=403)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
