"""Where the figures on a page come from: uploads, CSS edition, approximations, synthetic data."""
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum

from core.request_memo import once_per_request
from ingestion.models import Upload
from pages.selectors.records import records_version
from records.models import RecordKind
from scoring.models import RecordCount, ScoringRun
from scoring.selectors import data_span
from sectors.models import Level


def provenance(*, user, start: date | None, end: date | None, edition=None) -> dict:
    """Facts for the provenance footer of a page covering start..end (months).

    The record facts come from the counts of the latest scoring run; all are cached until the next
    upload or scoring run.
    ``data_first`` and ``data_last`` are the months with scores (what a window can show; the month
    pickers' bounds); ``beyond_data`` says the window starts before or ends after them.
    """
    running = scoring_in_progress()
    key = f"sectors:provenance:{start}:{end}:{records_version()}:{running and running.pk}"
    facts = cache.get(key)
    if facts is None:
        # The counts the scoring run stores (every record once, at the sector level), not the records.
        counts = RecordCount.objects.filter(level=Level.SECTOR)
        if start and end:
            counts = counts.filter(month__gte=start, month__lte=end)
        found = counts.aggregate(synthetic=Sum("is_synthetic"), approximation=Sum("count", filter=Q(kind=RecordKind.POLICEUK)))
        facts = {
            "synthetic": bool(found["synthetic"]),
            "approximation": bool(found["approximation"]),
            "uploads": list(
                Upload.objects.filter(status=Upload.Status.APPLIED)
                .order_by("-finished_at", "-id")
                .values("id", "kind", "organisation__name", "finished_at", "rows_applied")[:5]
            ),
            "upload_count": Upload.objects.filter(status=Upload.Status.APPLIED).count(),
        }
        facts["data_first"], facts["data_last"] = data_span()
        cache.set(key, facts, settings.PAGE_CACHE_SECONDS)
    first, last = facts["data_first"], facts["data_last"]
    beyond = bool(start and end and first and (start < first or end > last))
    return {**facts, "edition": edition, "start": start, "end": end, "running": running,
            "beyond_data": beyond}


def scoring_in_progress() -> ScoringRun | None:
    """The scoring run queued or running now, if any: pages show it as work in progress (once per request)."""
    return once_per_request("scoring_in_progress", lambda: ScoringRun.objects.filter(
        status__in=[ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING]).first())
