"""The co-offending network's filters: the window, an area, a group or a group type.

Bad values never raise: the form falls back to the default (the whole force, every group) and the
page says so.
"""
from django import forms

from nominals.models import Group, GroupType
from pages.forms import WindowForm
from sectors.models import Area, Level


class NetworkForm(WindowForm):
    area = forms.ModelChoiceField(
        queryset=Area.objects.filter(level__in=[Level.COMMAND, Level.SECTOR]).order_by("level", "name")
        .only("pk", "name", "level"),
        required=False, empty_label="the whole force", label="Records located in")
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), required=False,
                                   empty_label="any group", label="Links of members of")
    group_type = forms.ChoiceField(choices=[("", "any type"), *GroupType.choices], required=False,
                                   label="Group type")

    def _understood(self) -> dict:
        """The fields that were understood: one bad choice drops that choice, not the others."""
        if not self.is_bound:
            return {}
        self.is_valid()  # cleans every field; cleaned_data keeps those without an error
        return self.cleaned_data

    def window(self) -> dict:
        data = self._understood()
        return {"end_month": data.get("end"), "months": data.get("months") or 12}

    def filters(self) -> dict:
        """area, group_id and group_type for NetworkScope (None / "" when not chosen or not understood)."""
        data = self._understood()
        group = data.get("group")
        return {"area": data.get("area"), "group_id": group.pk if group else None,
                "group_type": data.get("group_type") or ""}

    def query(self) -> dict:
        """The understood choices as GET parameters, for the export links."""
        data = self._understood()
        chosen = {"months": data.get("months"), "end": data["end"].strftime("%Y-%m") if data.get("end") else "",
                  "area": data["area"].pk if data.get("area") else "",
                  "group": data["group"].pk if data.get("group") else "", "group_type": data.get("group_type")}
        return {k: v for k, v in chosen.items() if v}
