from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from records.models import OffenceType
from scoring.models import CssEdition, HarmScore, Measure, OffenceWeight, ScoringRun
from scoring.services import (
    css_edition_delete,
    css_edition_save,
    measure_delete,
    measure_save,
    offence_weight_delete,
    offence_weight_save,
)


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through the scoring services (audited, followed by a recompute).

    Bulk deletion goes one object at a time for the same reason.
    """

    save_service = None  # staticmethod(<thing>_save)
    delete_service = None  # staticmethod(<thing>_delete)
    service_arg = ""  # the services' keyword for the object

    def save_model(self, request, obj, form, change):
        self.save_service(**{self.service_arg: obj}, user=request.user,
                          changed_fields=list(form.changed_data) if change else None)

    def delete_model(self, request, obj):
        self.delete_service(**{self.service_arg: obj}, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class CssEditionForm(forms.ModelForm):
    # Not the model field itself: the form would check the "one active edition" constraint and
    # refuse the tick before css_edition_save could switch (deactivate the other edition first).
    activate = forms.BooleanField(
        required=False, label="Active",
        help_text="Ticking it makes this the active edition and recomputes every score with it "
                  "(a minute or more on a large force).",
    )

    class Meta:
        model = CssEdition
        fields = ["code", "label", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activate"].initial = self.instance.is_active

    def clean_activate(self):
        # The service refuses it too; here the administrator gets the reason on the form.
        if self.instance.pk and self.instance.is_active and not self.cleaned_data["activate"]:
            raise ValidationError("One edition is always active: activate another edition instead.")
        return self.cleaned_data["activate"]


@admin.register(CssEdition)
class CssEditionAdmin(ServiceAdmin):
    form = CssEditionForm
    list_display = ["code", "label", "is_active", "loaded_at"]
    save_service = staticmethod(css_edition_save)
    delete_service = staticmethod(css_edition_delete)
    service_arg = "edition"

    def save_model(self, request, obj, form, change):
        obj.is_active = form.cleaned_data["activate"]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_active)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(is_active=False))


@admin.register(OffenceType)
class OffenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "offence_group", "policeuk_crime_type", "is_approximation"]
    list_filter = ["is_approximation", "policeuk_crime_type"]
    search_fields = ["code", "description"]


@admin.register(OffenceWeight)
class OffenceWeightAdmin(ServiceAdmin):
    list_display = ["offence_type", "edition", "weight", "method"]
    list_filter = ["edition"]
    search_fields = ["offence_type__code", "offence_type__description"]
    save_service = staticmethod(offence_weight_save)
    delete_service = staticmethod(offence_weight_delete)
    service_arg = "weight"


@admin.register(Measure)
class MeasureAdmin(ServiceAdmin):
    list_display = ["display_order", "code", "name", "source", "weighting", "fixed_weight", "harm_type", "is_active"]
    list_display_links = ["code"]
    list_filter = ["is_active", "source", "harm_type"]
    save_service = staticmethod(measure_save)
    delete_service = staticmethod(measure_delete)
    service_arg = "measure"


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "force", "edition", "created_at", "attempts", "next_attempt_at", "duration_ms",
                    "rows_written", "unweighted_records"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ScoringRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HarmScore)
class HarmScoreAdmin(admin.ModelAdmin):
    list_display = ["area", "month", "measure", "count", "harm", "edition"]
    list_filter = ["measure", "month"]
    raw_id_fields = ["area"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
