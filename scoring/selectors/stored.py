"""Reads of what the scoring run stores for the pages besides the scores (scoring.services.stored_views)."""
from datetime import date

from django.db.models import Max

from core.request_memo import once_per_request
from scoring.models import AreaView, CssEdition, Measure, ScoringRun
from sectors.models import Area


def measures_key(measures: list[Measure]) -> str:
    return ",".join(str(pk) for pk in sorted(m.pk for m in measures))


def stored_area_view(*, area: Area, start: date, end: date, kind: str, measures: list[Measure],
                     edition: CssEdition | None) -> dict | list | None:
    """The stored data of an area page for this window, if the run stored it for exactly these
    measures and this edition; None (compute it live) otherwise. One query. Access is the caller's job."""
    return AreaView.objects.filter(area=area, start=start, end=end, kind=kind, measures=measures_key(measures),
                                   edition=edition).values_list("data", flat=True).first()


def scores_version() -> str:
    """Changes whenever a scoring run finishes: the key of everything cached from stored scores.

    Read once per request (core.request_memo): every part of a page keys by the same run."""
    return once_per_request("scores_version", _scores_version)


def latest_run() -> dict:
    """The last finished scoring run: ``id``, ``at`` (when it finished) and ``started`` (the latest
    start of a finished run), all None before any run."""
    return ScoringRun.objects.filter(status=ScoringRun.Status.DONE).aggregate(
        id=Max("id"), at=Max("finished_at"), started=Max("started_at"))


def latest_run_shared() -> dict:
    """latest_run(), read once per request (core.request_memo): the same query as scores_version()."""
    return once_per_request("latest_run", latest_run)


def _scores_version() -> str:
    last = latest_run_shared()
    return f"{last['id']}:{last['at'] and last['at'].timestamp()}"
