"""Parsing of the GET parameters the pages share: the window, the level, the measures, record filters.

Bad values never raise: the form falls back to the default and reports the error on the page.
"""
from datetime import date

from django import forms

from ingestion.models import RecordKind
from sectors.models import Level

WINDOW_CHOICES = [(3, "3 months"), (6, "6 months"), (12, "12 months")]
RANKED_LEVELS = [(Level.COMMAND, "area commands"), (Level.SECTOR, "sectors"), (Level.NEIGHBOURHOOD, "neighbourhoods")]


def parse_month(value: str) -> date | None:
    """'2024-05' (or '2024-05-01') to the first day of that month; None when unreadable."""
    try:
        year, month = str(value).split("-")[:2]
        return date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parsed = parse_month(value)
        if parsed is None:
            raise forms.ValidationError("Give a month as YYYY-MM.")
        return parsed


class WindowForm(forms.Form):
    """The period a page covers: `months` months ending with `end` (the latest scored month by default)."""

    end = MonthField(required=False, label="Ending in", widget=forms.TextInput(attrs={"type": "month"}))
    months = forms.TypedChoiceField(choices=WINDOW_CHOICES, coerce=int, required=False, empty_value=12,
                                    label="Window")

    def window(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"end_month": data.get("end"), "months": data.get("months") or 12}


class RankingForm(WindowForm):
    level = forms.TypedChoiceField(choices=RANKED_LEVELS, coerce=int, required=False,
                                   empty_value=Level.SECTOR, label="Rank")
    measure = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Measures")

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(m.code, m.name) for m in measures]

    def ranking_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            **self.window(),
            "level": data.get("level") or Level.SECTOR,
            "measure_codes": data.get("measure") or None,
        }


class RecordFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "any kind")] + list(RecordKind.choices), required=False)
    month = MonthField(required=False, widget=forms.TextInput(attrs={"type": "month"}))
    offence = forms.CharField(required=False, max_length=64, label="Offence code")

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if v}
