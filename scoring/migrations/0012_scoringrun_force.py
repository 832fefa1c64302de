"""A scoring run names the force it recomputes (empty: every force, as every run before this one)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0011_stored_tables_force'),
        ('sectors', '0002_area_records_permission'),
    ]

    operations = [
        migrations.AddField(
            model_name='scoringrun',
            name='force',
            field=models.ForeignKey(blank=True, limit_choices_to={'level': 0}, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sectors.area'),
        ),
    ]
