import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The link's record key loses its database foreign key before records are partitioned by month.

    A foreign key into a partitioned table must reference a unique key holding the partition key
    (id, month); the link holds the record's id only. The application keeps the integrity (see
    nominals.models.RecordNominal).
    """

    dependencies = [
        ("nominals", "0002_recordnominal_points_at_records"),
        ("records", "0002_grain_statistics"),
    ]
    run_before = [("records", "0003_record_partitioned_by_month")]

    operations = [
        migrations.AlterField(
            model_name="recordnominal",
            name="record",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="nominal_links", to="records.record"),
        ),
    ]
