"""The audit trail becomes a hash chain: every event carries the hash of the one before it and its own.

Existing events are chained here, in id order. The triggers of portal migration 0003 refuse the
UPDATE that needs, so they are dropped first and created again last, in this migration's one
transaction (on SQLite, adding the columns rebuilds the table, which drops its triggers anyway).
"""
import importlib

import django.utils.timezone
from django.db import migrations, models

from core.audit import HASHED, event_hash

append_only = importlib.import_module("portal.migrations.0003_audit_append_only")


def triggers_drop(apps, schema_editor):
    append_only.backwards(apps, schema_editor)


def triggers_create(apps, schema_editor):
    append_only.forwards(apps, schema_editor)


def chain_backfill(apps, schema_editor):
    """Chain the existing events in id order, a thousand at a time (by id: no cursor stays open
    over the rows being updated)."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    prev, last_id = "", 0
    while batch := list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:1000]):
        for event in batch:
            event.prev_hash = prev
            event.hash = prev = event_hash(**{f: getattr(event, f) for f in HASHED})
        AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash"])
        last_id = batch[-1].id


def chain_backfill_then_triggers_create(apps, schema_editor):
    chain_backfill(apps, schema_editor)
    triggers_create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_roles_checked_by_permission'),
    ]

    operations = [
        migrations.RunPython(triggers_drop, triggers_create),
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_event_id', models.BigIntegerField(blank=True, null=True)),
                ('last_hash', models.CharField(blank=True, max_length=64)),
                ('count', models.BigIntegerField()),
            ],
            options={
                'ordering': ['-id'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, default='', help_text='Empty for the first event', max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('login', 'Login'), ('login_failed', 'Login Failed'), ('logout', 'Logout'), ('view', 'View'), ('export', 'Export'), ('upload', 'Upload'), ('permission_change', 'Permission Change'), ('admin_change', 'Admin Change'), ('recompute', 'Recompute'), ('denied', 'Denied'), ('chain_broken', 'Chain Broken')], db_index=True, max_length=20),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(chain_backfill_then_triggers_create, triggers_drop),
    ]
