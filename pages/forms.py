"""The pages' forms: the GET parameters they share (window, level, measures, record filters) and the upload form.

Bad values never raise: the form falls back to the default and reports the error on the page.
"""
from datetime import date

from django import forms

from core.months import FIRST_YEAR, LAST_YEAR
from ingestion.models import UploadKind
from records.models import RecordKind
from scoring.selectors.ranking import WINDOWS
from sectors.models import Level

WINDOW_CHOICES = [(months, f"{months} months") for months in WINDOWS]
RANKED_LEVELS = [(Level.COMMAND, "area commands"), (Level.SECTOR, "sectors"), (Level.NEIGHBOURHOOD, "neighbourhoods")]


def parse_month(value: str) -> date | None:
    """'2024-05' (or '2024-05-01') to the first day of that month; None when unreadable or outside
    FIRST_YEAR..LAST_YEAR."""
    try:
        year, month = str(value).split("-")[:2]
        parsed = date(int(year), int(month), 1)
    except (TypeError, ValueError):
        return None
    return parsed if FIRST_YEAR <= parsed.year <= LAST_YEAR else None


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parsed = parse_month(value)
        if parsed is None:
            raise forms.ValidationError(f"Give a month as YYYY-MM, from {FIRST_YEAR} to {LAST_YEAR}.")
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


class NominalSearchForm(forms.Form):
    # A CharField refuses NUL characters (PostgreSQL cannot compare text with them).
    q = forms.CharField(required=False, label="Find a nominal (reference or name)")

    def query(self) -> str:
        return self.cleaned_data["q"][:50] if self.is_valid() else ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField(label="File (CSV UTF-8 or XLSX; GeoJSON for boundaries)")
    # Boundary uploads only.
    level = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Boundary level",
        choices=[("", "—")] + [(lvl.value, lvl.label) for lvl in (Level.COMMAND, Level.SECTOR, Level.NEIGHBOURHOOD)],
    )
    code_property = forms.CharField(required=False, max_length=60, label="Boundary code property")
    name_property = forms.CharField(required=False, max_length=60, label="Boundary name property")

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(UploadKind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]

    def clean(self):
        data = super().clean()
        if data.get("kind") == UploadKind.BOUNDARIES:
            for name in ("level", "code_property", "name_property"):
                if not data.get(name):
                    self.add_error(name, "Required for a boundary upload.")
        return data

    def options(self) -> dict:
        if self.cleaned_data["kind"] != UploadKind.BOUNDARIES:
            return {}
        return {k: self.cleaned_data[k] for k in ("level", "code_property", "name_property")}
