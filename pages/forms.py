"""The pages' forms: the GET parameters they share (window, level, measures, record filters) and the upload form.

Bad values never raise: the form falls back to the default and reports the error on the page.
"""
from datetime import date

from django import forms
from django.http import Http404

from core.months import FIRST_YEAR, LAST_YEAR
from ingestion.models import UploadKind
from nominals.permissions import access_group, access_nominal
from records.models import RecordKind
from scoring.models import Measure
from scoring.selectors.ranking import WINDOWS
from sectors.models import Area, Level

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


NOMINAL_MONTHS = "nominal"  # the ``kind`` of the records list that lists nominal-months only
COUNTED_SOC, COUNTED_ALL = "soc", "all"


class RecordFilterForm(forms.Form):
    """The records list's filters (the GET parameters every link to a figure's records uses).

    ``counted_by``: ``soc`` (the items counted in the SOC harm of the selected measures), a measure
    code (the items that measure counts) or ``all`` (every record located there, counted or not).
    ``nominal`` (set by the links of a nominal's profile): the records linked to that nominal other than
    as victim or witness, and the nominal's own nominal-months. A group or nominal the user may not
    research is refused like an unknown one: the page never says it exists.
    """

    counted_by = forms.ChoiceField(required=False, label="Counted by")
    kind = forms.ChoiceField(choices=[("", "any kind")] + list(RecordKind.choices)
                             + [(NOMINAL_MONTHS, "nominal-months only")], required=False)
    flag = forms.ChoiceField(choices=[("", "any")] + list(Measure.Flag.choices), required=False, label="Flag")
    group = forms.IntegerField(required=False, min_value=1, label="Linked group (id)",
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    nominal = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    month = MonthField(required=False, widget=forms.TextInput(attrs={"type": "month"}))
    offence = forms.CharField(required=False, max_length=64, label="Offence code")

    def __init__(self, *args, measures=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["counted_by"].choices = (
            [(COUNTED_SOC, "the SOC harm (each item once)")]
            + [(m.code, m.name) for m in measures] + [(COUNTED_ALL, "any record, counted or not")])

    def clean_group(self):
        group = self.cleaned_data.get("group")
        if group is not None:
            try:
                access_group(self.user, group)
            except Http404:
                raise forms.ValidationError("No such group.") from None
        return group

    def clean_nominal(self):
        nominal = self.cleaned_data.get("nominal")
        if nominal is not None:
            try:
                access_nominal(self.user, nominal)
            except Http404:
                raise forms.ValidationError("No such nominal.") from None
        return nominal

    def filters(self) -> dict:
        """The valid filters; a field that did not validate is left out (the page reports it)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found = {k: v for k, v in data.items() if v not in (None, "") and k not in self.errors}
        found.setdefault("counted_by", COUNTED_SOC)
        return found


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
        # The force the file is for: asked only of a deployment holding several (ingestion.services.upload_create).
        forces = Area.objects.filter(level=Level.FORCE).order_by("name")
        if len(forces[:2]) > 1:
            self.fields["force"] = forces_field = forms.ModelChoiceField(
                queryset=forces, to_field_name="code", label="Force", empty_label="—",
                help_text="The force whose data the file holds")
            forces_field.error_messages["invalid_choice"] = "Not a force: give the code of one of the forces."

    def clean(self):
        data = super().clean()
        if data.get("kind") == UploadKind.BOUNDARIES:
            for name in ("level", "code_property", "name_property"):
                if not data.get(name):
                    self.add_error(name, "Required for a boundary upload.")
        return data

    def force_id(self) -> int | None:
        force = self.cleaned_data.get("force")
        return None if force is None else force.pk

    def options(self) -> dict:
        if self.cleaned_data["kind"] != UploadKind.BOUNDARIES:
            return {}
        return {k: self.cleaned_data[k] for k in ("level", "code_property", "name_property")}
