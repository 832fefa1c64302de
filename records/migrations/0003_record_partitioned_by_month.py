"""Records partitioned by month on PostgreSQL; SQLite keeps one table.

PostgreSQL: ``ingestion_record`` becomes a table partitioned by RANGE (month), one partition per
month present (and the current and next months) plus a DEFAULT partition, so no insert ever fails
for want of a partition (records.services.record_partitions_ensure creates the others before the
rows arrive). Django has no partitioning: the table is rebuilt here in SQL. The old table is
renamed, the partitioned one created like it (columns, defaults, identity, checks), the rows moved,
the old table dropped, then the keys and indexes are made on the parent (they cascade to every
partition, present and future) and the extended statistics of migration 0002 on the parent only:
they estimate the recompute's grain, a query on the parent, and made on every partition they
would multiply the cost of each ANALYZE by the number of months (an 8-column ndistinct and
dependencies statistic takes seconds per partition).

Every unique key of a partitioned table must hold the partition key: the primary key is
(id, month) in the database (Django's model state keeps ``id`` as the primary key: ids stay
unique, drawn from one identity sequence), and the natural key (source, external_ref, month).
The uniqueness of (source, external_ref) across months is kept by the apply (see docs/ingestion.md,
"Records partitioned by month"). The model state and SQLite get the same (source, external_ref,
month) key, so both backends behave alike.

Nominal links lose their database foreign key first (nominals migration 0003, run before this).
"""
from datetime import date

from django.db import migrations, models

TABLE = "ingestion_record"
OLD = "ingestion_record_unpartitioned"
DEFAULT = "ingestion_record_default"
STATISTICS = "ingestion_record_grain_stats"
STATISTICS_COLUMNS = "area_id, sector_id, command_id, month, kind, drug_supply, cannabis_farm, firearms_discharge"
INDEXES = [
    ("ingestion_r_sector__1f4314_idx", "sector_id, month, kind"),
    ("ingestion_r_area_id_83cf05_idx", "area_id, month"),
    ("ingestion_r_command_87a470_idx", "command_id, month"),
    ("ingestion_r_kind_92618a_idx", "kind, month"),
]
OLD_UNIQUE = models.UniqueConstraint(fields=["source", "external_ref"], name="record_unique_per_source")
NEW_UNIQUE = models.UniqueConstraint(fields=["source", "external_ref", "month"], name="record_unique_per_source_month")


class NotOnPostgres(migrations.operations.base.Operation):
    """An operation whose state change applies everywhere but whose database change is SQLite's only
    (PostgreSQL gets the same change from the partitioning SQL below)."""

    def __init__(self, operation):
        self.operation = operation

    def deconstruct(self):
        return self.__class__.__name__, [self.operation], {}

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL: by the partitioning)"


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _rebuild(execute, cursor, *, partitioned: bool) -> None:
    """Rename the table, create the new one like it, move the rows, drop the old one."""
    execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    like = f"LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS INCLUDING STORAGE"
    if partitioned:
        execute(f"CREATE TABLE {TABLE} ({like}) PARTITION BY RANGE (month)")
        cursor.execute(f"SELECT DISTINCT month FROM {OLD}")
        today = date.today().replace(day=1)
        months = sorted({row[0].replace(day=1) for row in cursor.fetchall()} | {today, _next_month(today)})
        for month in months:
            name = f"{TABLE}_y{month.year:04d}m{month.month:02d}"
            execute(f"CREATE TABLE {name} PARTITION OF {TABLE} "
                    f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')")
        execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
    else:
        execute(f"CREATE TABLE {TABLE} ({like})")
    execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
    # The new identity sequence continues where the old one stopped (a deleted record's id is never reused).
    cursor.execute(f"SELECT pg_get_serial_sequence('{OLD}', 'id'), pg_get_serial_sequence('{TABLE}', 'id')")
    old_seq, new_seq = cursor.fetchone()
    cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {old_seq}")
    used = cursor.fetchone()[0]
    cursor.execute(f"SELECT GREATEST(%s, COALESCE(MAX(id), 0)) FROM {TABLE}", [used])
    used = cursor.fetchone()[0]
    execute(f"SELECT setval('{new_seq}', {max(used, 1)}, {'true' if used else 'false'})")
    execute(f"DROP TABLE {OLD}")  # no CASCADE: a foreign key still pointing at it stops the migration
    execute(f"ALTER SEQUENCE {new_seq} RENAME TO {TABLE}_id_seq")


def _keys(execute, *, partitioned: bool) -> None:
    if partitioned:
        execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, month)")
        execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {NEW_UNIQUE.name} UNIQUE (source, external_ref, month)")
    else:
        execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {OLD_UNIQUE.name} UNIQUE (source, external_ref)")
    for name, columns in INDEXES:
        execute(f"CREATE INDEX {name} ON {TABLE} ({columns})")
    execute(f"CREATE STATISTICS {STATISTICS} (ndistinct, dependencies) ON {STATISTICS_COLUMNS} FROM {TABLE}")
    # Autovacuum never analyses a partitioned parent: the planner's statistics of the whole table
    # (and the extended statistics above) are made here, and by records.services afterwards.
    execute(f"ANALYZE {TABLE}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(schema_editor.execute, cursor, partitioned=True)
        _keys(schema_editor.execute, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(schema_editor.execute, cursor, partitioned=False)
        _keys(schema_editor.execute, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("records", "0002_grain_statistics")]

    operations = [
        NotOnPostgres(migrations.RemoveConstraint(model_name="record", name=OLD_UNIQUE.name)),
        NotOnPostgres(migrations.AddConstraint(model_name="record", constraint=NEW_UNIQUE)),
        migrations.RunPython(partition, unpartition),
    ]
