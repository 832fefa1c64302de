"""The impact pages' choices: activities, equal windows, comparison areas (the selectors check again)."""
from django import forms

from sectors.models import Area, Level
from tasking.models import Activity
from tasking.selectors.impact import DEFAULT_COMPARISONS, DEFAULT_MONTHS, MAX_COMPARISONS, MAX_MONTHS

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


def _month(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(required=False, label=label, input_formats=MONTH_FORMATS, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))


class WindowsForm(forms.Form):
    months = forms.IntegerField(required=False, min_value=1, max_value=MAX_MONTHS, initial=DEFAULT_MONTHS,
                                label="Months in each window")
    before_start = _month("Before window from", "Leave both empty for the months just before and just after")
    after_start = _month("After window from", "The same number of months as the before window")

    def clean(self):
        data = super().clean()
        if bool(data.get("before_start")) != bool(data.get("after_start")):
            raise forms.ValidationError("Give both windows' first months, or neither.")
        return data

    def windows(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"months": data.get("months") or DEFAULT_MONTHS, "before_start": data.get("before_start"),
                "after_start": data.get("after_start")}


class ActivityImpactForm(WindowsForm):
    comparison = forms.ModelMultipleChoiceField(
        queryset=Area.objects.filter(level=Level.SECTOR).order_by("name"), required=False,
        label="Comparison sectors", help_text="Leave empty to choose the sectors nearest in harm before",
        widget=forms.SelectMultiple(attrs={"size": 8}))
    comparisons = forms.IntegerField(required=False, min_value=1, max_value=MAX_COMPARISONS,
                                     initial=DEFAULT_COMPARISONS, label="Comparison sectors chosen automatically")

    def selection(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {**self.windows(), "comparison_ids": [a.pk for a in data.get("comparison") or []],
                "comparisons": data.get("comparisons") or DEFAULT_COMPARISONS}


class ImpactForm(ActivityImpactForm):
    activities = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.order_by("-started_on", "ref"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}))

    field_order = ["activities", "months", "before_start", "after_start", "comparison", "comparisons"]

    def activity_ids(self) -> list[int]:
        return [a.pk for a in self.cleaned_data.get("activities") or []] if self.is_valid() else []
