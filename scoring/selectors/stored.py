"""Reads of what the scoring run stores for the pages besides the scores (scoring.services.stored_views)."""
from datetime import date

from scoring.models import AreaView, CssEdition, Measure
from sectors.models import Area


def measures_key(measures: list[Measure]) -> str:
    return ",".join(str(pk) for pk in sorted(m.pk for m in measures))


def stored_area_view(*, area: Area, start: date, end: date, kind: str, measures: list[Measure],
                     edition: CssEdition | None) -> dict | list | None:
    """The stored data of an area page for this window, if the run stored it for exactly these
    measures and this edition; None (compute it live) otherwise. One query. Access is the caller's job."""
    return AreaView.objects.filter(area=area, start=start, end=end, kind=kind, measures=measures_key(measures),
                                   edition=edition).values_list("data", flat=True).first()
