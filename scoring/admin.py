from django.contrib import admin

from scoring.models import CssEdition, HarmScore, Measure, OffenceType, OffenceWeight, ScoringRun


@admin.register(CssEdition)
class CssEditionAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "is_active", "loaded_at"]


@admin.register(OffenceType)
class OffenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "offence_group", "policeuk_crime_type", "is_approximation"]
    list_filter = ["is_approximation", "policeuk_crime_type"]
    search_fields = ["code", "description"]


@admin.register(OffenceWeight)
class OffenceWeightAdmin(admin.ModelAdmin):
    list_display = ["offence_type", "edition", "weight", "method"]
    list_filter = ["edition"]
    search_fields = ["offence_type__code", "offence_type__description"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["display_order", "code", "name", "source", "weighting", "fixed_weight", "harm_type", "is_active"]
    list_display_links = ["code"]
    list_filter = ["is_active", "source", "harm_type"]


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "edition", "created_at", "duration_ms", "rows_written", "unweighted_records"]
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
