"""Values read once per request: the stamps that several parts of a page key their caches by.

Only while a GET or HEAD request is served (core.middleware.CurrentRequestMiddleware), which
changes nothing: a request that writes (a POST running a recompute in-process) reads afresh.
"""
from collections.abc import Callable
from typing import TypeVar

from core.audit import current_request

T = TypeVar("T")


def once_per_request(name: str, compute: Callable[[], T]) -> T:
    request = current_request.get()
    if request is None or request.method not in ("GET", "HEAD"):
        return compute()
    memo = request.__dict__.setdefault("_once_per_request", {})
    if name not in memo:
        memo[name] = compute()
    return memo[name]
