import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, transaction

from conftest import PASSWORD
from core.audit import audit_record
from core.models import AuditEvent


def test_it_records_logins_and_failed_logins(client, analyst):
    client.post("/accounts/login/", {"username": "analyst", "password": "wrong"})
    client.post("/accounts/login/", {"username": "analyst", "password": PASSWORD})
    actions = list(AuditEvent.objects.filter(action__startswith="login").order_by("id").values_list("action", "username"))
    assert actions == [("login_failed", "analyst"), ("login", "analyst")]


def test_it_records_logouts(client, analyst):
    client.force_login(analyst)
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="logout", username="analyst").count() == 1


def test_it_refuses_to_change_or_delete_an_event(db, analyst):
    event = audit_record(user=analyst, action="view", object_type="record", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "analyst"


def test_it_records_role_changes_with_the_actor(client, administrator, outsider):
    from django.contrib.auth.models import Group

    client.force_login(administrator)
    response = client.post(f"/admin/auth/user/{outsider.pk}/change/", {
        "username": "outsider", "groups": [Group.objects.get(name="analyst").pk], "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    })
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.filter(action="permission_change").latest("id")
    assert event.username == "administrator"
    assert (event.object_type, event.object_id) == ("user", str(outsider.pk))
    assert event.detail["target_username"] == "outsider"
    assert event.detail["changes"]["groups"] == {"added": ["analyst"]}


def test_it_shows_and_exports_the_trail_to_governance(client, governance, analyst):
    audit_record(user=analyst, action="export", object_type="sector", object_id="E05001089")
    client.force_login(governance)
    page = client.get("/audit/", {"username": "analyst"})
    assert page.status_code == 200
    assert b"E05001089" in page.content
    export = client.get("/audit/export.csv", {"action": "export"})
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert rows[0].startswith("at,username,action")
    assert any("E05001089" in row for row in rows[1:])
    assert AuditEvent.objects.filter(action="export", username="governance", object_type="audit_trail").exists()


def test_it_lists_the_trail_in_a_fixed_number_of_queries(client, governance, analyst, django_assert_max_num_queries):
    for i in range(60):
        audit_record(user=analyst, action="view", object_type="record", object_id=i)
    client.force_login(governance)
    with django_assert_max_num_queries(11):  # 3 of them record the view itself (lock, chain head, insert)
        assert client.get("/audit/").status_code == 200


def _user_events(user, after):
    return list(AuditEvent.objects.filter(object_type="user", object_id=str(user.pk), id__gt=after).order_by("id"))


def _last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_changes_outside_the_admin_are_audited_too(db, outsider):
    last = _last_event_id()
    outsider.set_password("set-by-a-service-2026")
    outsider.save(update_fields=["password"])
    outsider.is_staff = True
    outsider.save()
    Group.objects.get(name="governance lead").user_set.add(outsider)
    events = [(e.action, e.username, e.detail) for e in _user_events(outsider, after=last)]
    target = {"target_id": outsider.pk, "target_username": "outsider"}
    assert events == [
        ("admin_change", "(system)", {**target, "changes": {"password": "changed"}}),
        ("permission_change", "(system)", {**target, "changes": {"is_staff": {"old": False, "new": True}}}),
        ("permission_change", "(system)", {**target, "changes": {"groups": {"added": ["governance lead"]}}}),
    ]


def test_a_user_created_and_their_roles_cleared_outside_the_admin_are_audited(db):
    user = User.objects.create_user("scripted", password=PASSWORD, email="s@example.org")
    user.groups.add(Group.objects.get(name="officer"), Group.objects.get(name="analyst"))
    user.groups.clear()
    events = [(e.action, e.detail["changes"], e.detail.get("created", False)) for e in _user_events(user, after=0)]
    assert events == [
        ("admin_change", {"password": "set", "username": {"old": "", "new": "scripted"},
                          "email": {"old": "", "new": "s@example.org"}}, True),
        ("permission_change", {"groups": {"added": ["analyst", "officer"]}}, False),
        ("permission_change", {"groups": {"removed": ["analyst", "officer"]}}, False),
    ]


def test_a_login_records_no_user_change(client, outsider):
    before = _last_event_id()
    client.post("/accounts/login/", {"username": "outsider", "password": PASSWORD})
    assert _user_events(outsider, after=before) == []
def test_it_records_a_refusal_to_a_logged_in_user(client, officer, analyst):
    """A page a user may not see is a 404: each is an event, naming the path asked for."""
    client.force_login(officer)
    assert client.get("/nominals/groups/", {"q": "x"}).status_code == 404
    assert client.post("/audit/export.csv").status_code == 404  # the wrong method, refused only after the check
    denied = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, username="officer").order_by("id")
    assert [(e.object_type, e.object_id, e.detail) for e in denied] == [
        ("page", "nominals:groups", {"denied": True, "status": 404, "method": "GET", "path": "/nominals/groups/"}),
        ("page", "audit-export", {"denied": True, "status": 404, "method": "POST", "path": "/audit/export.csv"}),
    ]
    assert denied[0].ip == "127.0.0.1"
    client.force_login(analyst)
    assert client.get("/nominals/999999/").status_code == 404  # no such nominal: the same answer, recorded too
    assert AuditEvent.objects.filter(action="denied", username="analyst", detail__path="/nominals/999999/").exists()


def test_it_records_no_refusal_for_paths_no_view_handles_nor_for_anonymous_users(client, officer):
    client.get("/audit/")  # anonymous: sent to the login page
    client.force_login(officer)
    assert client.get("/static/no-such-file.css").status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/healthz").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).exists()


def test_it_records_who_read_the_trail_and_with_which_filters(client, governance):
    client.force_login(governance)
    assert client.get("/audit/", {"username": "analyst", "action": "export", "page": "2"}).status_code == 200
    event = AuditEvent.objects.get(action="view", object_type="audit_trail")
    assert event.username == "governance"
    assert event.detail == {"filters": {"username": "analyst", "action": "export"}, "page": "2"}


def test_it_exports_a_formula_typed_as_a_username_as_text(client, governance):
    """An anonymous visitor chooses what the failed-login event's username says: in the governance
    lead's spreadsheet it must stay text, not a link that runs."""
    client.post("/accounts/login/", {"username": '=HYPERLINK("http://x","y")', "password": "x"})
    client.force_login(governance)
    export = client.get("/audit/export.csv", {"action": "login_failed"})
    (row,) = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert row["username"] == '\'=HYPERLINK("http://x","y")'


def test_it_records_the_client_address_the_trusted_proxy_saw(db, analyst, settings):
    from django.test import RequestFactory

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    event = audit_record(user=analyst, action="view", request=request)
    assert event.ip == "203.0.113.7"  # the proxy's own view of the client, not what the client claimed
