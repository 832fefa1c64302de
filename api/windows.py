"""The window of the research endpoints (groups, nominals, the network): the pages' ``months`` and ``end``,
where a value the pages would quietly drop is a 400 naming it, as everywhere in the API."""
from datetime import date

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from pages.forms import WindowForm
from pages.selectors.area import area_window
from scoring.selectors.ranking import WINDOWS

WINDOW_PARAMETERS = [
    OpenApiParameter("end", str, description="Last month of the window, YYYY-MM (default: the latest scored)"),
    OpenApiParameter("months", int, description="Months in the window (default 12)", enum=list(WINDOWS)),
]


def valid(form) -> None:
    """A form's errors as DRF's 400, each field with its messages."""
    if not form.is_valid():
        raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})


def window_of(request, form_class=WindowForm) -> tuple[WindowForm, tuple[date, date] | None]:
    """The bound, valid form and its window (None before any score exists)."""
    form = form_class(request.query_params)
    valid(form)
    return form, area_window(**form.window())
