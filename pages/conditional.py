"""Conditional GET for the pages that depend only on stored figures: an ETag, and 304 when it matches.

The ETag (core.etags.response_etag) digests the latest applied upload and finished scoring run
(records_version), the run in progress (its progress bar), the boundaries, the sectors whose
records the user may read, and the user's own scope (core.etags). Anything else that changes a
page changes one of these, except an edit made outside uploads and runs (the admin), which the
pages' caches already show only within PAGE_CACHE_SECONDS.
"""
from collections.abc import Callable
from functools import wraps

from core.etags import not_modified, response_etag, with_etag
from pages.selectors.provenance import scoring_in_progress
from pages.selectors.records import records_version
from records.permissions import record_sector_ids
from sectors.locator import _boundaries_version


def page_etag(request) -> str:
    running = scoring_in_progress()
    sectors = record_sector_ids(request.user)
    return response_etag(request, records_version(), running and (running.pk, running.status), _boundaries_version(),
                         "all" if sectors is None else sorted(sectors))


def conditional_page(access: Callable[..., object], *, not_modified_audit: Callable[..., None] | None = None):
    """Answer 304 when the browser's copy is current, after ``access`` (which raises Http404 for who may
    not see the page); ``not_modified_audit(request, etag, **url kwargs)`` then records a read of
    sensitive data that the 304 stands for. A 200 carries the ETag and is private to the user."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.accessed = access(request, **kwargs)  # the view may use what the check read
            etag = page_etag(request)
            response = not_modified(request, etag)
            if response is not None:
                if not_modified_audit is not None:
                    not_modified_audit(request, etag, **kwargs)
                return response
            request.etag = etag
            response = view(request, *args, **kwargs)
            return with_etag(response, etag) if response.status_code == 200 else response
        return wrapped
    return decorator
