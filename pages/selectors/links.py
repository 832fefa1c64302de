"""Links from a figure to the records behind it: the sector page's records list, with the shared parameters.

Every page that links a figure builds its link here, so the window (``months``, ``end``), the measure
selection (``measure``, repeated, only when one was chosen) and the filters always travel together.
"""
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse


def window_params(*, months: int, end: date | None, measure_codes=None) -> list[tuple[str, str]]:
    params = [("months", str(months))]
    if end is not None:
        params.append(("end", f"{end:%Y-%m}"))
    return params + [("measure", code) for code in measure_codes or ()]


def records_url(area_id: int, window: list[tuple[str, str]], **filters) -> str:
    """The records list of an area for a window and filters (counted_by, flag, group, offence, month, kind)."""
    params = list(window) + [(key, f"{value:%Y-%m}" if isinstance(value, date) else str(value))
                             for key, value in filters.items() if value not in (None, "")]
    return f"{reverse('sectors:area', args=[area_id])}?{urlencode(params)}#records"
