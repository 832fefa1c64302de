"""The fact table: crimes and partner records, and the offence types that weigh them.

The tables keep the names they had when these models lived in ``ingestion`` and
``scoring`` (``db_table``), so moving them changed no data.
"""
from django.db import models
from django.db.models import Q

from sectors.models import Level


class RecordKind(models.TextChoices):
    CRIME = "crime", "force crime"
    POLICEUK = "policeuk", "police.uk street crime"
    DRUG_DEATH = "drug_death", "drug-related death"
    CRIMESTOPPERS = "crimestoppers", "Crimestoppers report"
    TRADING_STANDARDS = "trading_standards", "Trading Standards record"
    FIREARMS_INTEL = "firearms_intel", "firearms intelligence report"


class OffenceType(models.Model):
    """A Home Office offence code, or a police.uk crime type used as an approximation.

    police.uk street records carry only a broad crime type; their offence type
    has ``is_approximation`` set and a weight derived from the CSS table (see
    docs/scoring.md). Such weights are labelled as approximations wherever shown.
    """

    code = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=300)
    offence_group = models.CharField(max_length=200, blank=True)
    policeuk_crime_type = models.CharField(max_length=100, blank=True, db_index=True)
    is_approximation = models.BooleanField(default=False)

    class Meta:
        db_table = "scoring_offencetype"
        ordering = ["code"]
        constraints = [
            # Ingestion looks the approximation of a police.uk type up by that type alone.
            models.UniqueConstraint(
                fields=["policeuk_crime_type"], condition=Q(is_approximation=True),
                name="one_approximation_per_policeuk_type",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.description}"


class Record(models.Model):
    """A crime or a partner record, located once at ingest.

    ``area``, ``sector`` and ``command`` are the neighbourhood, sector and area
    command containing the point, each found independently (a point may lie in
    a sector but in no neighbourhood), stored so that every aggregation is a
    plain GROUP BY.
    """

    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    source = models.CharField(max_length=40, help_text="Who published it: policeuk, force, or an organisation code")
    external_ref = models.CharField(max_length=100)
    occurred_on = models.DateField()
    month = models.DateField(help_text="First day of the month of occurred_on")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    # No single-column indexes on the three area keys: the (area|sector|command, month)
    # indexes below lead with them and serve the same lookups; every index less is
    # one less to maintain per ingested row.
    # db_constraint=False on the five keys below: their values are written only by
    # ingestion (the locator, the crime-type map, the upload being applied), never
    # typed by a user, and a database foreign key costs one trigger and one look-up per
    # row at commit (five per record; about a quarter of a bulk load). The apply checks
    # the few distinct ids of a file at once instead and holds them with FOR KEY SHARE
    # until it commits (ingestion.services.records.Stage.check_keys). Django's on_delete
    # (SET_NULL, PROTECT) still applies to every delete made through the ORM.
    # The force the row belongs to (the level-0 root of its geography): the distribution column of a
    # regional deployment (docs/scale.md, section 4), part of every key of the table. No database
    # foreign key or index of its own, as for the area keys below: every writer takes it from
    # sectors.selectors.force_root or from the rows it derives from, and the keys lead elsewhere.
    force = models.ForeignKey("sectors.Area", on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)
    area = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             db_index=False, db_constraint=False)
    sector = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False, db_constraint=False)
    command = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False, db_constraint=False)
    # No index on offence_type or upload either: no page or scoring query filters records by
    # them alone (scoring joins the weights from the record side), and the apply reads the
    # areas it touched from its own statements. Deleting an upload or an offence type (never
    # done by the application) then scans the records once.
    offence_type = models.ForeignKey(OffenceType, null=True, blank=True, on_delete=models.PROTECT,
                                     db_index=False, db_constraint=False)
    drug_supply = models.BooleanField(default=False)
    cannabis_farm = models.BooleanField(default=False)
    firearms_discharge = models.BooleanField(default=False)
    upload = models.ForeignKey("ingestion.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="records",
                               db_index=False, db_constraint=False)
    is_synthetic = models.BooleanField(default=False)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "ingestion_record"
        constraints = [
            # With the month: records are partitioned by month on PostgreSQL (migration 0003) and a
            # unique key of a partitioned table must hold the partition key; with the force: every key
            # of a table distributed by force must hold it (migration 0005), and two forces' references
            # may be the same. A reference is still one record of its force across months: the apply
            # finds it in whatever month it is and moves it (ingestion.services.records.Stage.upsert,
            # under the (force, source) apply lock). On PostgreSQL the database holds it as a unique index on
            # the reference's compact form (records.keys, migration 0006): every look-up by reference there
            # writes records.keys.reference_key, which that index serves.
            models.UniqueConstraint(fields=["source", "external_ref", "month", "force"],
                                    name="record_unique_per_force_source_month"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__gte=49.0, lat__lte=61.5, lon__gte=-9.0, lon__lte=2.5),
                name="record_in_great_britain",
            ),
            models.CheckConstraint(
                condition=~Q(kind="crime") | Q(offence_type__isnull=False), name="crime_has_offence"
            ),
        ]
        indexes = [
            models.Index(fields=["sector", "month", "kind"]),
            models.Index(fields=["area", "month"]),
            models.Index(fields=["command", "month"]),
            models.Index(fields=["kind", "month"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.external_ref}"


# The column of a record holding the area of each level below the force (the locator fills them).
RECORD_AREA_FIELD = {Level.COMMAND: "command", Level.SECTOR: "sector", Level.NEIGHBOURHOOD: "area"}
