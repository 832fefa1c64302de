"""A database built before the layers (organisations and the audit trail in ``portal``, records in
``ingestion``, offence types in ``scoring``) migrates with every row, permission and object grant kept.

The test takes the test database back to the migrations of that time, writes data through the
historical models, grants what the portal grants (role permissions, an officer's sector, a partner's
upload), and migrates forward again.
"""
from datetime import date, datetime, timezone

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from guardian.shortcuts import get_perms

from core.models import AuditEvent, Organisation
from ingestion.models import Upload
from nominals.models import Nominal, RecordNominal
from records.models import OffenceType, Record
from sectors.models import Area, Level

BEFORE = [
    ("portal", "0003_audit_append_only"), ("ingestion", "0006_upload_resend"), ("scoring", "0006_scoringrun_outbox"),
    ("nominals", "0001_initial"), ("sectors", "0002_area_records_permission"), ("core", None), ("records", None),
    ("tasking", None), ("api", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # the graph as the database now stands
    moved = {app for app, _ in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in moved]  # auth, guardian...
    return executor.loader.project_state([t for t in targets if t[1]] + others).apps


def _leaves():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


def _write_old_data(old) -> dict:
    """What a database of that time holds, written through its own models."""
    Perm, UserObj, GroupObj = (old.get_model("auth", "Permission"), old.get_model("guardian", "UserObjectPermission"),
                               old.get_model("guardian", "GroupObjectPermission"))
    CT = old.get_model("contenttypes", "ContentType")
    OldGroup = old.get_model("auth", "Group")
    # Seeded by migrations; created here too, as an earlier transactional test may have flushed them.
    org, _ = old.get_model("portal", "Organisation").objects.get_or_create(
        code="coroner", defaults={"name": "Coroner's office", "kind": "partner", "upload_kinds": ["drug_deaths"],
                                  "group": OldGroup.objects.get_or_create(name="partner: Coroner's office")[0]})
    officer = old.get_model("auth", "User").objects.create(username="old-officer")
    officer.groups.add(OldGroup.objects.get_or_create(name="officer")[0])
    area = old.get_model("sectors", "Area").objects.create(level=2, code="S-OLD", name="Old sector")
    offence = old.get_model("scoring", "OffenceType").objects.create(code="8N", description="Assault")
    upload = old.get_model("ingestion", "Upload").objects.create(
        kind="drug_deaths", organisation=org, original_name="d.csv", sha256="a" * 64, size=1, status="applied",
        created_at=datetime(2023, 1, 1, tzinfo=timezone.utc), file="uploads/x")
    record = old.get_model("ingestion", "Record").objects.create(
        kind="crime", source="force", external_ref="R-OLD", occurred_on=date(2023, 1, 5), month=date(2023, 1, 1),
        sector=area, offence_type=offence, upload=upload)
    nominal = old.get_model("nominals", "Nominal").objects.create(ref="N-OLD", name="Old nominal", home_sector=area)
    old.get_model("nominals", "RecordNominal").objects.create(record=record, nominal=nominal, role="suspect")
    event = old.get_model("portal", "AuditEvent").objects.create(username="old-officer", action="view",
                                                                 object_type="area", object_id=str(area.pk))
    UserObj.objects.create(user=officer, object_pk=str(area.pk), content_type=CT.objects.get(model="area"),
                           permission=Perm.objects.get(codename="view_area_records"))
    GroupObj.objects.create(group=org.group, object_pk=str(upload.pk),
                            content_type=CT.objects.get(app_label="ingestion", model="upload"),
                            permission=Perm.objects.get(codename="view_upload"))
    moved = {m: CT.objects.get(app_label=a, model=m).pk for a, m in
             [("portal", "organisation"), ("portal", "auditevent"), ("ingestion", "record"), ("scoring", "offencetype")]}
    return {"area": area.pk, "record": record.pk, "upload": upload.pk, "nominal": nominal.pk, "event": event.pk,
            "offence": offence.pk, "content_types": moved,
            "permissions": {p.pk: p.codename for p in Perm.objects.filter(content_type_id__in=moved.values())}}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_keeps_every_row_permission_and_grant_of_a_database_from_before_the_layers():
    old = _migrate(BEFORE)
    before = _write_old_data(old)
    _leaves()

    record = Record.objects.select_related("offence_type", "sector", "upload").get(pk=before["record"])
    assert (record.external_ref, record.offence_type.code, record.sector.code, record.upload_id) == \
        ("R-OLD", "8N", "S-OLD", before["upload"])
    assert RecordNominal.objects.get(record=record).nominal_id == before["nominal"]
    assert Nominal.objects.get(pk=before["nominal"]).home_sector_id == before["area"]
    assert OffenceType.objects.get(pk=before["offence"]).code == "8N"
    assert AuditEvent.objects.get(pk=before["event"]).object_id == str(before["area"])
    assert Upload.objects.get(pk=before["upload"]).organisation.code == "coroner"
    # The upload names the deployment's only force root (made when its records gained their force).
    assert Upload.objects.get(pk=before["upload"]).force_id == Area.objects.get(level=Level.FORCE).pk == record.force_id

    # The moved models' content types are the same rows under their new apps, so every permission
    # and object grant that names them still holds.
    for model, pk in before["content_types"].items():
        assert ContentType.objects.get(pk=pk).app_label in ("core", "records"), model
    assert ContentType.objects.get_for_model(Record).pk == before["content_types"]["record"]
    assert ContentType.objects.get_for_model(AuditEvent).pk == before["content_types"]["auditevent"]
    assert {p.pk: p.codename for p in Permission.objects.filter(pk__in=before["permissions"])} == before["permissions"]

    officer = User.objects.get(username="old-officer")
    area = Area.objects.get(pk=before["area"])
    assert get_perms(officer, area) == ["view_area_records"]
    partner_group = Organisation.objects.get(code="coroner").group
    assert "view_upload" in get_perms(partner_group, Upload.objects.get(pk=before["upload"]))
    assert Group.objects.get(name="analyst").permissions.filter(content_type__app_label="records",
                                                                 codename="view_record").exists()
    assert Group.objects.get(name="governance lead").permissions.filter(content_type__app_label="core",
                                                                         codename="view_auditevent").exists()
