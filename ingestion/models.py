import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class UploadKind(models.TextChoices):
    POLICEUK = "policeuk", "data.police.uk street-level crimes"
    CRIMES = "crimes", "force crime extract"
    NOMINALS = "nominals", "nominals"
    GROUPS = "groups", "groups"
    MEMBERSHIPS = "memberships", "group memberships"
    PRIORITY = "priority", "priority-individual status"
    REFERRALS = "referrals", "diversion referrals"
    DRUG_DEATHS = "drug_deaths", "Coroner: drug-related deaths"
    CRIMESTOPPERS = "crimestoppers", "Crimestoppers intelligence reports"
    TRADING_STANDARDS = "trading_standards", "Trading Standards records"
    FIREARMS_INTEL = "firearms_intel", "firearms intelligence reports"
    BOUNDARIES = "boundaries", "area boundaries (GeoJSON)"
    ACTIVITIES = "activities", "police and partner activities"


def upload_path(instance, filename):
    # Never trust the client's name on disk: it is kept only as metadata.
    return f"uploads/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Upload(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received"
        VALIDATING = "validating"
        REJECTED = "rejected"
        APPLYING = "applying"
        APPLIED = "applied"
        FAILED = "failed"

    kind = models.CharField(max_length=20, choices=UploadKind.choices)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="uploads")
    # The force root (level 0) the file's rows belong to, named when the upload is created (the only
    # one of a force's own deployment). Empty only while the deployment holds no force root yet.
    force = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"level": 0})
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    file = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    options = models.JSONField(default=dict, blank=True, help_text="e.g. the level of a boundary upload")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Outbox: set once the processing task has been handed to the broker.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The run that holds the upload: progress and the final apply are written only
    # under this token, so a run that lost its claim (stale heartbeat) changes nothing.
    claim_token = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_validated = models.PositiveIntegerField(default=0)
    rows_applied = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_unlocated = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0, help_text="Rows deliberately not loaded, e.g. police.uk ASB")
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first errors: row, column, message")
    failure = models.TextField(blank=True, help_text="An unexpected failure (not a validation error)")

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_upload_report", "Can view an upload's report")]
        constraints = [
            # The same file sent twice by one organisation for one kind is one upload, unless the
            # earlier one was rejected or failed (then it may be sent again: see Upload.LIVE).
            models.UniqueConstraint(
                fields=["organisation", "kind", "sha256"], name="upload_unique_live_file",
                condition=Q(status__in=["received", "validating", "applying", "applied"]),
            ),
        ]

    # An upload holding its file: the same bytes sent again return it instead of a new upload.
    # A rejected or failed upload does not: its file may be sent (or processed) again.
    LIVE = (Status.RECEIVED, Status.VALIDATING, Status.APPLYING, Status.APPLIED)

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.VALIDATING, self.Status.APPLYING)

    @property
    def can_process_again(self) -> bool:
        return self.status in (self.Status.REJECTED, self.Status.FAILED)

    def __str__(self):
        return f"{self.get_kind_display()} upload {self.pk} ({self.status})"
