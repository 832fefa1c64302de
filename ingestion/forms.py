from django import forms

from ingestion.models import UploadKind
from sectors.models import Level


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
