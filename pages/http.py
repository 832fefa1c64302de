"""Method checks that reveal a page only to those who may see it.

Django's ``require_GET`` answers 405 before the view runs, so a user who may not see a record learns
that its URL exists. Here the wrong method is refused only after the page's own access check: a user
who may not see the page gets 404 whatever the method, exactly as for a GET.
"""
from collections.abc import Callable
from functools import wraps

from django.http import HttpResponseNotAllowed

Access = Callable[..., object]  # (request, **url kwargs): raises Http404 for who may not see the page


def allow(methods: list[str], *, access: Access):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                access(request, **kwargs)
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def get_only(access: Access):
    return allow(["GET", "HEAD"], access=access)


def post_only(access: Access):
    return allow(["POST"], access=access)
