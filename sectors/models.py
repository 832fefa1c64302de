from django.db import models


class Level(models.IntegerChoices):
    FORCE = 0, "force"
    COMMAND = 1, "area command"
    SECTOR = 2, "sector"
    NEIGHBOURHOOD = 3, "neighbourhood"


class Area(models.Model):
    """One area of the force's geography, with its boundary.

    The boundary is a GeoJSON geometry in WGS84 (lon/lat); the bounding box is
    kept beside it so the map and the locator can filter without parsing it.
    """

    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry, WGS84 lon/lat")
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    # A point guaranteed to lie inside the boundary (shapely representative_point).
    label_lon = models.FloatField(null=True, blank=True)
    label_lat = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Provenance of the boundary")

    class Meta:
        ordering = ["level", "name"]
        permissions = [("view_area_records", "Can view the raw records located in an area")]
        indexes = [models.Index(fields=["level", "name"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=0, level__lte=3), name="area_level_valid"),
            models.CheckConstraint(
                condition=models.Q(level=0, parent__isnull=True) | models.Q(level__gt=0),
                name="area_force_has_no_parent",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()})"
