"""The audit trail's hash chain: what audit_verify finds when someone gets round the triggers."""
import importlib
import io
import threading
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import RequestFactory

from conftest import PASSWORD
from core.audit import HASHED, audit_chain_check, audit_record, event_hash
from core.models import AuditCheckpoint, AuditEvent
from core.tasks import audit_verify

append_only = importlib.import_module("portal.migrations.0003_audit_append_only")


@contextmanager
def triggers_lifted():
    """What the tables' owner could do; the test's transaction is rolled back after it anyway."""
    down, up = ([append_only.PG_DOWN], [append_only.PG_UP]) if connection.vendor == "postgresql" \
        else (append_only.SQLITE_DOWN, append_only.SQLITE_UP)
    with connection.cursor() as cursor:
        for sql in down:
            cursor.execute(sql)
        yield cursor
        for sql in up:
            cursor.execute(sql)


def _events(n=4):
    """The first events of the trail (no fixture user: creating one is itself an event)."""
    assert not AuditEvent.objects.exists()
    return [audit_record(user=None, username="tester", action="view", object_type="record", object_id=i,
                         detail={"i": i}) for i in range(n)]


def _verify() -> str:
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as error:
        assert error.returncode == 1
        return str(error)
    return out.getvalue()


def test_it_chains_every_event_to_the_one_before(db):
    first, second, third, _ = _events()
    assert first.prev_hash == "" and second.prev_hash == first.hash and third.prev_hash == second.hash
    row = AuditEvent.objects.values(*HASHED).get(pk=second.pk)
    assert event_hash(**row) == second.hash
    assert _verify() == f"Audit trail intact: 4 events, the last {_.pk} (hash {_.hash[:12]}).\n"


def test_it_keeps_the_chain_whatever_the_database_makes_of_the_content(db, outsider, client):
    """jsonb reorders keys and gives 1e16 back as an integer, inet writes IPv6 its own way: the hash must
    not care."""
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8:0::0:1")
    audit_record(user=outsider, action="view", request=request,
                 detail={"z": 1e16, "a": 1.0, "p": 0.1, "list": [{"b": 2, "a": "é"}], "none": None})
    client.post("/accounts/login/", {"username": "outsider", "password": PASSWORD})
    assert AuditEvent.objects.filter(action="login", ip="127.0.0.1").exists()
    assert "intact" in _verify()


def test_it_names_an_edited_event(db):
    events = _events()
    with triggers_lifted():
        AuditEvent.objects.filter(pk=events[1].pk).update(username="someone-else")
    message = _verify()
    assert f"event {events[1].pk} (" in message and "was changed after it was written" in message
    assert "The first 1 events are intact" in message


def test_it_names_the_gap_a_deleted_event_leaves(db):
    events = _events()
    with triggers_lifted():
        AuditEvent.objects.filter(pk=events[2].pk).delete()
    assert f"event {events[3].pk} does not follow event {events[1].pk}" in _verify()


def test_it_finds_a_rewritten_chain_against_the_checkpoint(db):
    """Even an owner who rehashes every event after an edit is caught by the checkpoint."""
    events = _events()
    audit_chain_check()
    with triggers_lifted():
        AuditEvent.objects.filter(pk=events[0].pk).update(username="someone-else")
        prev = ""
        for event in AuditEvent.objects.order_by("id"):
            event.prev_hash, event.hash = prev, event_hash(**{**{f: getattr(event, f) for f in HASHED},
                                                             "prev_hash": prev})
            prev = event.hash
            AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
    assert f"event {events[-1].pk} is not what the checkpoint" in _verify()


def test_it_finds_a_truncated_tail_against_the_checkpoint(db):
    events = _events()
    audit_chain_check()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.count, checkpoint.last_event_id, checkpoint.last_hash) == (4, events[-1].pk, events[-1].hash)
    with triggers_lifted():
        AuditEvent.objects.filter(pk__gte=events[2].pk).delete()
    message = _verify()
    assert f"the trail ends at event {events[1].pk} after 2 events" in message
    assert f"recorded 4 events up to event {events[-1].pk}: its tail was removed" in message
    with triggers_lifted():
        AuditEvent.objects.all().delete()
    assert "the trail ends at no event after 0 events" in _verify()


def test_it_checks_the_trail_periodically_and_alerts_administrators(db, settings, mailoutbox):
    settings.ADMINS = [("Security", "security@example.org")]
    events = _events()
    assert audit_verify.apply().get() == {"count": 4, "last_event_id": events[-1].pk, "broken": ""}
    assert AuditCheckpoint.objects.count() == 1 and mailoutbox == []

    with triggers_lifted():
        AuditEvent.objects.filter(pk=events[1].pk).update(detail={"i": 99})
    result = audit_verify.apply().get()
    assert result["broken"].startswith(f"event {events[1].pk} (")
    assert AuditCheckpoint.objects.count() == 1  # none written for a broken chain
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["security@example.org"]
    assert result["broken"] in mailoutbox[0].body
    alert = AuditEvent.objects.get(action=AuditEvent.Action.CHAIN_BROKEN)
    assert (alert.username, alert.object_type, alert.detail["broken"]) == ("(system)", "audit_trail", result["broken"])
    assert "core.tasks.audit_verify" in [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the rows migrations seed
def test_it_keeps_the_chain_linear_when_writers_race():
    """Eight threads append at once, each on its own connection: no two link to the same event."""
    start = threading.Barrier(8)
    errors = []

    def append(i):
        try:
            start.wait()
            for j in range(5):
                audit_record(user=None, username=f"writer-{i}", action="view", object_id=j)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes))  # no two events link to the same one
    assert AuditEvent.objects.filter(username__startswith="writer-").count() == 40
    assert "intact" in _verify()
