from core.audit import current_request


class CurrentRequestMiddleware:
    """Keeps the request being served, so changes made deep inside Django (group membership,
    object permissions) are attributed in the audit trail to the person who made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
