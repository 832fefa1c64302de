"""Where the figures on a page come from: uploads, CSS edition, approximations, synthetic data."""
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max

from ingestion.models import Upload
from records.models import Record, RecordKind
from scoring.models import ScoringRun
from scoring.selectors import data_span


def provenance(*, user, start: date | None, end: date | None, edition=None) -> dict:
    """Facts for the provenance footer of a page covering start..end (months).

    The existence checks scan records, so they are cached until the next upload or scoring run.
    ``data_first`` and ``data_last`` are the months with scores (what a window can show; the month
    pickers' bounds); ``beyond_data`` says the window starts before or ends after them.
    """
    latest_upload = Upload.objects.filter(status=Upload.Status.APPLIED).aggregate(m=Max("id"))["m"]
    latest_run = ScoringRun.objects.aggregate(m=Max("id"))["m"]
    key = f"sectors:provenance:{start}:{end}:{latest_upload}:{latest_run}"
    facts = cache.get(key)
    if facts is None:
        records = Record.objects.all()
        if start and end:
            records = records.filter(month__gte=start, month__lte=end)
        facts = {
            "synthetic": records.filter(is_synthetic=True).exists(),
            "approximation": records.filter(kind=RecordKind.POLICEUK).exists(),
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
    return {**facts, "edition": edition, "start": start, "end": end, "running": scoring_in_progress(),
            "beyond_data": beyond}


def scoring_in_progress() -> ScoringRun | None:
    """The scoring run queued or running now, if any: pages show it as work in progress."""
    return ScoringRun.objects.filter(status__in=[ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING]).first()
