from django.db import models
from django.db.models import F, Q

from sectors.models import Level


class GroupType(models.TextChoices):
    OCG = "ocg", "organised crime group"
    UCG = "ucg", "urban crime group"
    PCG = "pcg", "peer crime group"


class Nominal(models.Model):
    """A person of interest. Their home location places them in an area."""

    ref = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    born_on = models.DateField(null=True, blank=True)
    home_lat = models.FloatField(null=True, blank=True)
    home_lon = models.FloatField(null=True, blank=True)
    home_area = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    home_sector = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    home_command = models.ForeignKey(
        "sectors.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_restricted = models.BooleanField(default=False, help_text="Visible only to users granted it")
    is_synthetic = models.BooleanField(default=False)
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["ref"]
        permissions = [("view_restricted_nominal", "Can view a restricted nominal")]

    def __str__(self):
        return f"{self.ref} {self.name}"


class Group(models.Model):
    ref = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    group_type = models.CharField(max_length=3, choices=GroupType.choices)
    is_synthetic = models.BooleanField(default=False)
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["ref"]

    def __str__(self):
        return f"{self.name} ({self.get_group_type_display()})"


class Membership(models.Model):
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Empty while still a member")
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="membership_dates_ordered"
            ),
            models.UniqueConstraint(fields=["nominal", "group", "started_on"], name="membership_unique_start"),
        ]


class PriorityStatus(models.Model):
    """A period during which a nominal is a priority individual."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="priority_periods")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="priority_dates_ordered"
            ),
            models.UniqueConstraint(fields=["nominal", "started_on"], name="priority_unique_start"),
        ]


class LinkRole(models.TextChoices):
    SUSPECT = "suspect"
    OFFENDER = "offender"
    VICTIM = "victim"
    WITNESS = "witness"
    ASSOCIATE = "associate"


class RecordNominal(models.Model):
    # db_constraint=False: records are partitioned by month on PostgreSQL (records migration 0003)
    # and a foreign key into a partitioned table must reference a unique key holding the month,
    # (id, month); the link holds the id alone. A record keeps its id when a corrected date moves
    # it to another month, so its links stay. The integrity is the application's: the crimes
    # apply (ingestion.services.records.Stage.apply_links; the demo and benchmark loaders too)
    # writes links to records it has just written or found, under the (force, source) apply
    # lock, and Django's CASCADE still deletes a record's links with every delete made through the
    # ORM. A delete by hand in SQL is not stopped and would leave links pointing at a missing record.
    record = models.ForeignKey("records.Record", on_delete=models.CASCADE, related_name="nominal_links",
                               db_constraint=False)
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="record_links")
    role = models.CharField(max_length=10, choices=LinkRole.choices)
    # The record's force: links are distributed by force with their records (docs/scale.md, section 4).
    force = models.ForeignKey("sectors.Area", on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)

    class Meta:
        # The force last: the key serves the look-ups by record as before.
        constraints = [models.UniqueConstraint(fields=["record", "nominal", "role", "force"],
                                               name="record_nominal_role_force_unique")]
        indexes = [models.Index(fields=["nominal", "role"])]


class DiversionReferral(models.Model):
    ref = models.CharField(max_length=50, unique=True)
    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="referrals")
    scheme = models.CharField(max_length=200)
    referred_on = models.DateField()
    outcome = models.CharField(max_length=200, blank=True)
    is_synthetic = models.BooleanField(default=False)
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-referred_on"]


# The column of a nominal holding their home area of each level below the force.
HOME_FIELD = {Level.COMMAND: "home_command", Level.SECTOR: "home_sector", Level.NEIGHBOURHOOD: "home_area"}
