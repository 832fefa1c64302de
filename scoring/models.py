from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from nominals.models import GroupType
from records.models import OffenceType, RecordKind


class CssEdition(models.Model):
    """A published edition of the ONS Crime Severity Score weights.

    Exactly one edition is active; every stored score names the edition it used.
    """

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=200)
    source = models.TextField(help_text="Where the weights come from, and any caveat")
    is_active = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_css_edition")
        ]

    def __str__(self):
        return self.label


class OffenceWeight(models.Model):
    edition = models.ForeignKey(CssEdition, on_delete=models.CASCADE, related_name="weights")
    offence_type = models.ForeignKey(OffenceType, on_delete=models.CASCADE, related_name="weights")
    weight = models.FloatField()
    method = models.CharField(max_length=300, blank=True, help_text="How an approximate weight was derived")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "offence_type"], name="one_weight_per_edition"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="weight_not_negative"),
        ]


class Measure(models.Model):
    """One harm indicator a sector is ranked by. Data, not code.

    ``source`` says what is counted; the filter fields narrow it; ``weighting``
    says whether each item weighs its offence's CSS weight or ``fixed_weight``.
    """

    class Source(models.TextChoices):
        CRIMES = "crimes", "crimes matching a filter"
        RECORDS = "records", "partner records of a kind"
        NOMINALS = "nominals", "nominals holding a role"

    class Weighting(models.TextChoices):
        CSS = "css", "the offence's Crime Severity Score"
        FIXED = "fixed", "a fixed weight"

    class HarmType(models.TextChoices):
        VICTIM = "victim", "victim-based"
        POLICE = "police", "police-generated"

    class Flag(models.TextChoices):
        DRUG_SUPPLY = "drug_supply", "drug supply"
        CANNABIS_FARM = "cannabis_farm", "cannabis farm"
        FIREARMS_DISCHARGE = "firearms_discharge", "firearms discharge"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField()
    source = models.CharField(max_length=10, choices=Source.choices)
    # Filters: every one that is set must hold.
    record_kind = models.CharField(
        max_length=30, blank=True, choices=RecordKind.choices,
        help_text="Record kind (crimes/records sources); empty means force crimes",
    )
    flag = models.CharField(
        max_length=30, blank=True, choices=Flag.choices,
        help_text="drug_supply, cannabis_farm or firearms_discharge (crimes source)",
    )
    linked_group_type = models.CharField(
        max_length=10, blank=True, choices=GroupType.choices,
        help_text="Crimes linked to a member of a group of this type on the crime's date",
    )
    nominal_roles = models.CharField(
        max_length=100, blank=True, help_text="Comma-separated: ocg, ucg, pcg, priority (nominals source)"
    )
    weighting = models.CharField(max_length=10, choices=Weighting.choices)
    fixed_weight = models.FloatField(null=True, blank=True)
    weight_rationale = models.TextField(blank=True)
    harm_type = models.CharField(max_length=10, choices=HarmType.choices)
    is_active = models.BooleanField(default=True, help_text="Counts towards the SOC harm score")
    display_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weighting="css") | Q(fixed_weight__isnull=False, fixed_weight__gte=0),
                name="fixed_measure_has_weight",
            ),
            models.CheckConstraint(
                condition=~Q(weighting="css") | Q(source="crimes"), name="css_weighting_only_for_crimes"
            ),
        ]

    def __str__(self):
        return self.name

    ROLES = ("ocg", "ucg", "pcg", "priority")

    @property
    def role_list(self) -> list[str]:
        return [r.strip() for r in self.nominal_roles.split(",") if r.strip()]

    def clean(self):
        # The recompute trusts these combinations; an admin typo must not silently count nothing.
        errors = {}
        if self.source == self.Source.NOMINALS:
            if not self.role_list or set(self.role_list) - set(self.ROLES):
                errors["nominal_roles"] = f"Comma-separated roles among {', '.join(self.ROLES)}"
        elif self.source == self.Source.RECORDS and not self.record_kind:
            errors["record_kind"] = "A records measure needs a record kind"
        if self.source != self.Source.CRIMES and (self.flag or self.linked_group_type):
            errors["source"] = "Flags and group links apply to crimes only"
        if errors:
            raise ValidationError(errors)


class HarmScore(models.Model):
    """Stored count and harm for one area, month and measure (every level).

    A derived table, rebuilt only by scores_recompute, whose INSERT ... SELECT
    takes every id from the referenced tables themselves. So its foreign keys
    carry no database constraint and no single-column index: at a million
    records those cost four lookups per cell at commit and four index updates
    per row (seconds of every full recompute). Deletes of areas, measures,
    editions and runs still cascade, protect or null through Django's
    on_delete; the unique (area, month, measure) index serves every lookup by area.
    """

    area = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="scores", db_constraint=False,
                             db_index=False)
    month = models.DateField(help_text="First day of the month")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="scores", db_constraint=False,
                                db_index=False)
    edition = models.ForeignKey(CssEdition, on_delete=models.PROTECT, db_constraint=False, db_index=False)
    count = models.PositiveIntegerField()
    harm = models.FloatField()
    # Sum of squared item weights: the variance of the harm total under a Poisson model.
    harm_sq = models.FloatField(default=0)
    max_item_harm = models.FloatField(default=0)
    run = models.ForeignKey("ScoringRun", null=True, on_delete=models.SET_NULL, related_name="+",
                            db_constraint=False, db_index=False)
    # The force of the area (the level-0 root above it): the distribution column (docs/scale.md, section 4).
    force = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                              db_index=False)

    class Meta:
        # The force last: the key serves the look-ups by area as before.
        constraints = [models.UniqueConstraint(fields=["area", "month", "measure", "force"], name="one_score_per_cell")]
        indexes = [models.Index(fields=["month", "measure"])]


class ScoringRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    edition = models.ForeignKey(CssEdition, null=True, on_delete=models.PROTECT)
    scope = models.JSONField(default=dict, help_text="{} for a full recompute, else areas and months")
    # The force root (level 0) the run recomputes; empty for every force at once. A run of one force
    # reads and writes that force's rows only, so on a deployment distributed by force it runs on one node.
    force = models.ForeignKey("sectors.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"level": 0})
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    # Records in scope that a CSS-weighted measure would count but that have no
    # weight in the edition (e.g. anti-social behaviour): left out, and counted here.
    unweighted_records = models.PositiveIntegerField(default=0)
    # A digest of what the nominal-months were computed from (scoring.services.recompute.nominal_inputs).
    nominal_inputs = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    # The outbox (scoring.services.runs): set once the broker took the task, cleared when the run is re-queued.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker has started the run (a retry or a reclaim starts it again).
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the sweep retries a failed run; empty when it never will (final failure).
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class TotalScore(models.Model):
    """Stored distinct items for one area, month and set of measures counting them (every level).

    Measures overlap (an OCG member's drug supply offence is in two), so the
    per-measure cells of HarmScore cannot be added up into a total. Here each
    item (a record, or a nominal in a month) is in exactly one row: the one for
    the set of measures that count it. The total of any selection of measures
    is then a sum over these rows (scoring.formulas.item_set_total), with each
    item once. ``css_*`` describe the items that have a CSS weight in the
    edition (records only); the fixed weights come from the measures.
    """

    class ItemType(models.TextChoices):
        RECORD = "record"
        NOMINAL = "nominal"

    area = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="totals", db_constraint=False,
                             db_index=False)
    month = models.DateField(help_text="First day of the month")
    measures = models.CharField(max_length=400, help_text="Ids of the measures counting these items, sorted, "
                                                          "comma-separated")
    item_type = models.CharField(max_length=10, choices=ItemType.choices)
    edition = models.ForeignKey(CssEdition, on_delete=models.PROTECT, db_constraint=False, db_index=False)
    count = models.PositiveIntegerField(help_text="Items")
    css_count = models.PositiveIntegerField(default=0, help_text="Items with a CSS weight in the edition")
    css_harm = models.FloatField(default=0)
    css_harm_sq = models.FloatField(default=0)
    css_max = models.FloatField(default=0)
    run = models.ForeignKey("ScoringRun", null=True, on_delete=models.SET_NULL, related_name="+",
                            db_constraint=False, db_index=False)
    # The force of the area (the level-0 root above it): the distribution column (docs/scale.md, section 4).
    force = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                              db_index=False)

    class Meta:
        permissions = [("view_demand", "Can see and export demand by area and month")]
        constraints = [models.UniqueConstraint(fields=["area", "month", "measures", "force"],
                                               name="one_total_per_item_set")]
        indexes = [models.Index(fields=["month"], name="scoring_total_month")]

    @property
    def measure_ids(self) -> list[int]:
        return [int(i) for i in self.measures.split(",") if i]


class RecordCount(models.Model):
    """Records of one kind located in one area of a level in one month, and how many carry each flag
    (and how many are synthetic).

    The thematic views' figures, written by the scoring run (scoring.services.stored_views) so a
    page reads these rows instead of the records. ``area`` is empty for the records not located at
    ``level`` (the "not located in a sector" line of a theme).
    """

    level = models.PositiveSmallIntegerField()
    area = models.ForeignKey("sectors.Area", null=True, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False, db_index=False)
    month = models.DateField(help_text="First day of the month")
    kind = models.CharField(max_length=30, choices=RecordKind.choices)
    count = models.PositiveIntegerField()
    drug_supply = models.PositiveIntegerField(default=0)
    cannabis_farm = models.PositiveIntegerField(default=0)
    firearms_discharge = models.PositiveIntegerField(default=0)
    is_synthetic = models.PositiveIntegerField(default=0, help_text="Synthetic records (the provenance note)")
    # The records' force (also for the rows of records located nowhere at ``level``).
    force = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                              db_index=False)

    class Meta:
        indexes = [models.Index(fields=["level", "month"], name="scoring_reccount_level_month")]


class AreaView(models.Model):
    """What an area page's first view needs and would otherwise read from the records, stored by the run.

    One row per area, standard window (scoring.selectors.ranking.WINDOWS months ending at the default
    window end) and kind: the contributing items (``contributing``) or the map layer's hexagon cells
    (``layer``), both for the measures and edition named on the row, with every identity (readers
    withhold what a user may not see). A reader uses a row only when its measures and edition are
    those asked for; anything else is computed live.
    """

    class Kind(models.TextChoices):
        CONTRIBUTING = "contributing"
        LAYER = "layer"

    area = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                             db_index=False)
    start = models.DateField()
    end = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    measures = models.CharField(max_length=400, help_text="Ids of the measures, sorted, comma-separated")
    edition = models.ForeignKey(CssEdition, null=True, on_delete=models.CASCADE, db_constraint=False,
                                db_index=False)
    data = models.JSONField()
    run = models.ForeignKey("ScoringRun", null=True, on_delete=models.SET_NULL, related_name="+",
                            db_constraint=False, db_index=False)
    # The force of the area (the level-0 root above it): the distribution column (docs/scale.md, section 4).
    force = models.ForeignKey("sectors.Area", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                              db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "start", "end", "kind", "force"], name="one_area_view")]
