"""Page reads from a PostgreSQL read replica, when one is configured (DATABASE_REPLICA_URL).

What goes to the replica is narrow on purpose: reads of the data apps' tables (areas, records,
nominals, scores, activities and packs), made while a GET or HEAD request is served, outside any
transaction. Everything else stays on the primary:

- every write, and every read inside a transaction (the audit trail's chain head, the apply, the
  recompute, select_for_update);
- users, groups, permissions, object grants, sessions, lockouts and the audit trail: a revoked
  permission must take effect at once, not after the replica has caught up;
- the admin, Celery tasks and management commands (no request, so no replica);
- a browser's reads for a few seconds after it sent a change (a cookie pins it to the primary), so
  the page an analyst is sent to after saving shows what they saved.

A replica lags the primary by a fraction of a second; the figures on a page carry the scoring run
they come from, and ETags are keyed on it, so a lagging page says which run it shows.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

REPLICA = "replica"
REPLICA_APPS = frozenset({"sectors", "records", "nominals", "scoring", "tasking"})
PIN_COOKIE = "primary_reads"
SAFE_METHODS = ("GET", "HEAD")
ADMIN_PREFIX = "/admin/"

_replica_reads = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads():
    """Within this block, the data apps' reads outside a transaction go to the replica."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (_replica_reads.get() and model._meta.app_label in REPLICA_APPS
                and not transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Serves GET and HEAD requests with replica reads, unless the browser recently sent a change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.REPLICA_READS:
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        if safe and not request.COOKIES.get(PIN_COOKIE) and not request.path_info.startswith(ADMIN_PREFIX):
            with replica_reads():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if not safe:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
