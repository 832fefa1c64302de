"""JSON API of the reference data behind every score: the measures (what each counts and how it is
weighted) and the Crime Severity Score editions, as the method page shows them (pages.selectors.method)."""
from django.db.models import Count, Q
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from pages.selectors.method import measure_definition, measure_weight
from scoring.models import CssEdition, Measure


class MeasureSerializer(serializers.ModelSerializer):
    definition = serializers.SerializerMethodField(help_text="What the measure counts, in words")
    weight = serializers.SerializerMethodField(help_text="How each item is weighted, in words")

    class Meta:
        model = Measure
        fields = ["code", "name", "description", "definition", "source", "record_kind", "flag",
                  "linked_group_type", "nominal_roles", "weighting", "fixed_weight", "weight", "weight_rationale",
                  "harm_type", "is_active", "display_order"]

    def get_definition(self, measure: Measure) -> str:
        return measure_definition(measure)

    def get_weight(self, measure: Measure) -> str:
        return measure_weight(measure)


class EditionSerializer(serializers.ModelSerializer):
    weights_count = serializers.IntegerField(help_text="Offence weights in the edition")
    approximations = serializers.IntegerField(help_text="Of them, weights of offences approximated from others")

    class Meta:
        model = CssEdition
        fields = ["code", "label", "source", "is_active", "loaded_at", "weights_count", "approximations"]


class MeasureList(ListAPIView):
    """Every measure, the active ones (those the SOC harm score counts) first, in their display order."""

    serializer_class = MeasureSerializer

    def get_queryset(self):
        return Measure.objects.order_by("-is_active", "display_order", "code")


class EditionList(ListAPIView):
    """The Crime Severity Score editions, the one in force first, with how many weights each holds."""

    serializer_class = EditionSerializer

    def get_queryset(self):
        return CssEdition.objects.annotate(
            weights_count=Count("weights"),
            approximations=Count("weights", filter=Q(weights__offence_type__is_approximation=True)),
        ).order_by("-is_active", "-loaded_at")


measures = MeasureList.as_view()
editions = EditionList.as_view()
