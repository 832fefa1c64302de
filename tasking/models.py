"""What police and partners did, what a tasking meeting saw and agreed, and so what changed.

An activity targets areas (sectors, usually): chosen directly, or found from a point or a polygon
when it is saved (``tasking.services``). A tasking pack keeps, frozen in ``snapshot``, everything
the meeting saw, so reopening it later shows the same figures however the data has changed since.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ActivityKind(models.TextChoices):
    OPERATION = "operation", "police operation"
    WARRANT = "warrant", "warrant"
    ARREST = "arrest", "arrests"
    SEIZURE = "seizure", "seizure"
    CLOSURE_ORDER = "closure_order", "closure order"
    TRADING_STANDARDS = "trading_standards", "Trading Standards visits"
    LICENSING = "licensing", "licensing action"
    HOUSING = "housing", "housing action"
    EDUCATION = "education", "education and engagement"
    OTHER_PARTNER = "other_partner", "other partner action"


POLICE_KINDS = {ActivityKind.OPERATION, ActivityKind.WARRANT, ActivityKind.ARREST, ActivityKind.SEIZURE,
                ActivityKind.CLOSURE_ORDER}


class Activity(models.Model):
    """A police operation or partner action over a period, targeting areas."""

    ref = models.CharField(max_length=50, unique=True, help_text="The owner's reference; the key of an upload")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    started_on = models.DateField()
    ended_on = models.DateField(help_text="The last day; the first day again for a one-day action")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="activities")
    # The targeted areas; a point or a polygon, when given, is kept and the sectors it falls in are added.
    areas = models.ManyToManyField("sectors.Area", related_name="activities", blank=True)
    target_lat = models.FloatField(null=True, blank=True)
    target_lon = models.FloatField(null=True, blank=True)
    target_boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON polygon, WGS84 lon/lat")
    groups = models.ManyToManyField("nominals.Group", related_name="activities", blank=True)
    nominals = models.ManyToManyField("nominals.Nominal", related_name="activities", blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_on", "ref"]
        verbose_name_plural = "activities"
        permissions = [("view_impact", "Can view the impact of activity and of referrals")]
        indexes = [models.Index(fields=["started_on", "ended_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__gte=F("started_on")), name="activity_dates_ordered"),
            models.CheckConstraint(
                condition=(Q(target_lat__isnull=True) & Q(target_lon__isnull=True))
                | (Q(target_lat__gte=-90, target_lat__lte=90) & Q(target_lon__gte=-180, target_lon__lte=180)),
                name="activity_point_valid",
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"


class TaskingPack(models.Model):
    """What a tasking meeting saw, frozen when the pack was prepared."""

    title = models.CharField(max_length=200)
    meeting_on = models.DateField()
    prepared_at = models.DateTimeField(default=timezone.now)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # The scoring run whose figures the pack holds ("data as of"), and its edition.
    run = models.ForeignKey("scoring.ScoringRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edition = models.ForeignKey("scoring.CssEdition", on_delete=models.PROTECT, related_name="+")
    window_months = models.PositiveSmallIntegerField()
    areas = models.ManyToManyField("sectors.Area", related_name="tasking_packs", blank=True,
                                   help_text="The areas selected for the meeting")
    # Everything the pack shows: the ranking, each selected area's figures, significance, drivers
    # and top records, the measures and the data's month span. Written once, never updated.
    snapshot = models.JSONField()
    notes = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-meeting_on", "-prepared_at"]
        permissions = [("export_taskingpack", "Can export a tasking pack")]
        constraints = [
            models.CheckConstraint(condition=Q(window_months__gte=1, window_months__lte=36),
                                   name="pack_window_months_valid"),
        ]

    def __str__(self):
        return f"{self.title} ({self.meeting_on})"


class ActionStatus(models.TextChoices):
    OPEN = "open", "open"
    IN_PROGRESS = "in_progress", "in progress"
    DONE = "done", "done"
    DROPPED = "dropped", "dropped"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """An action agreed at a tasking meeting, on an area or a group."""

    pack = models.ForeignKey(TaskingPack, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    area = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    group = models.ForeignKey("nominals.Group", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="tasking_actions")
    owner_organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="tasking_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    activities = models.ManyToManyField(Activity, related_name="actions", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(area__isnull=False) | Q(group__isnull=False),
                                   name="action_has_area_or_group"),
            models.CheckConstraint(condition=Q(owner__isnull=False) | Q(owner_organisation__isnull=False),
                                   name="action_has_owner"),
        ]

    def __str__(self):
        return self.description
