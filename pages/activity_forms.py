"""The activity form and the register's filters (the service validates again: the form only parses)."""
import json

from django import forms

from core.models import Organisation
from nominals.models import Group, Nominal
from sectors.models import Area, Level
from tasking.models import ActivityKind


class ActivityForm(forms.Form):
    ref = forms.CharField(max_length=50, help_text="Your reference for the activity, unique")
    kind = forms.ChoiceField(choices=ActivityKind.choices)
    title = forms.CharField(max_length=200)
    started_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="The last day; leave empty for a one-day action")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    areas = forms.ModelMultipleChoiceField(queryset=Area.objects.filter(level=Level.SECTOR).order_by("name"),
                                           required=False, label="Target sectors",
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    lat = forms.FloatField(required=False, label="Point: latitude", min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, label="Point: longitude", min_value=-180, max_value=180)
    boundary = forms.CharField(required=False, label="Or a polygon (GeoJSON, lon/lat)",
                               widget=forms.Textarea(attrs={"rows": 3}))
    groups = forms.ModelMultipleChoiceField(queryset=Group.objects.order_by("ref"), required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 5}))
    nominals = forms.ModelMultipleChoiceField(queryset=Nominal.objects.filter(is_restricted=False).order_by("ref"),
                                              required=False, widget=forms.SelectMultiple(attrs={"size": 5}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_boundary(self):
        raw = self.cleaned_data["boundary"].strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError("not valid JSON: paste a GeoJSON Polygon") from None
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        return value

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "title": data["title"], "started_on": data["started_on"],
                "ended_on": data["ended_on"], "organisation": data["organisation"], "areas": list(data["areas"]),
                "lat": data["lat"], "lon": data["lon"], "boundary": data["boundary"], "groups": list(data["groups"]),
                "nominals": list(data["nominals"]), "notes": data["notes"]}

    @classmethod
    def initial_for(cls, activity) -> dict:
        return {"ref": activity.ref, "kind": activity.kind, "title": activity.title,
                "started_on": activity.started_on, "ended_on": activity.ended_on,
                "organisation": activity.organisation_id, "areas": list(activity.areas.all()),
                "lat": activity.target_lat, "lon": activity.target_lon,
                "boundary": json.dumps(activity.target_boundary) if activity.target_boundary else "",
                "groups": list(activity.groups.all()), "nominals": list(activity.nominals.all()),
                "notes": activity.notes}


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "any kind"), *ActivityKind.choices], required=False)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), required=False,
                                          empty_label="any owner")
    area = forms.ModelChoiceField(queryset=Area.objects.filter(level__lte=Level.SECTOR).order_by("level", "name"),
                                  required=False, empty_label="anywhere")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"kind": data["kind"] or "", "organisation_id": data["organisation"] and data["organisation"].pk,
                "area": data["area"], "start": data["start"], "end": data["end"]}
