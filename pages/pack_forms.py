"""The forms of tasking packs and their actions (the services validate again: the forms only parse)."""
from django import forms

from core.models import Organisation
from nominals.models import Group
from pages.forms import WINDOW_CHOICES, MonthField
from sectors.models import Area, Level
from tasking.models import ActionStatus, Activity
from tasking.selectors.packs import action_owners

DATE = forms.DateInput(attrs={"type": "date"})


class PackForm(forms.Form):
    """A pack to prepare: its name, meeting, window and measures, and the sectors ticked in the ranking."""

    title = forms.CharField(max_length=200)
    meeting_on = forms.DateField(label="Meeting date", widget=DATE)
    months = forms.TypedChoiceField(choices=WINDOW_CHOICES, coerce=int, empty_value=12, widget=forms.HiddenInput)
    end = MonthField(required=False, widget=forms.HiddenInput)
    measure = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)
    areas = forms.TypedMultipleChoiceField(coerce=int, label="Sectors for the meeting",
                                           widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, measures=(), rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(m.code, m.name) for m in measures]
        self.fields["areas"].choices = [(r.area_id, r.area_name) for r in rows]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "meeting_on": data["meeting_on"], "area_ids": data["areas"],
                "window_months": data["months"], "end_month": data["end"],
                "measure_codes": data["measure"] or None, "notes": data["notes"]}


class _Owner(forms.Form):
    owner = forms.ModelChoiceField(queryset=action_owners(), required=False, label="Owner (a person)")
    owner_organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), required=False,
                                                label="or an organisation")
    due_on = forms.DateField(label="Due", widget=DATE)
    activities = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.order_by("-started_on", "ref"), required=False, label="Linked activities",
        widget=forms.SelectMultiple(attrs={"size": 5}))


class ActionForm(_Owner):
    """An action agreed at the meeting, on one of the pack's sectors (or another area) or on a group."""

    description = forms.CharField(max_length=300)
    area = forms.ModelChoiceField(queryset=Area.objects.filter(level__lte=Level.SECTOR).order_by("level", "name"),
                                  required=False, label="Area")
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("ref"), required=False, label="or a group")
    field_order = ["description", "area", "group", "owner", "owner_organisation", "due_on", "activities"]

    def __init__(self, *args, research: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not research:  # groups are the analysts' to read
            del self.fields["group"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"description": data["description"], "area": data["area"], "group": data.get("group"),
                "owner": data["owner"], "owner_organisation": data["owner_organisation"], "due_on": data["due_on"],
                "activities": list(data["activities"])}


class ActionUpdateForm(_Owner):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    field_order = ["status", "due_on", "owner", "owner_organisation", "activities"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"status": data["status"], "due_on": data["due_on"], "owner": data["owner"],
                "owner_organisation": data["owner_organisation"], "activities": list(data["activities"])}

    @classmethod
    def initial_for(cls, action) -> dict:
        return {"status": action.status, "due_on": action.due_on, "owner": action.owner_id,
                "owner_organisation": action.owner_organisation_id,
                "activities": list(action.activities.values_list("pk", flat=True))}


class ActionFilterForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=action_owners(), required=False, empty_label="any owner")
    sector = forms.ModelChoiceField(queryset=Area.objects.filter(level__lte=Level.SECTOR).order_by("level", "name"),
                                    required=False, empty_label="anywhere", label="Area")

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"owner_id": data["owner"] and data["owner"].pk, "area": data["sector"]}
