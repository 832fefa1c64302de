"""Five failed logins lock the account and the client out for 15 minutes (django-axes)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _fail(client, username="analyst", ip="10.0.0.1", times=1):
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)
    return response


def test_it_locks_an_account_out_after_five_failed_logins(client, analyst):
    assert _fail(client, times=4).status_code == 200  # the form again, with its error
    response = _fail(client)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins" in text
    retry_at = timezone.localtime(timezone.now() + timedelta(minutes=15)).strftime("%H:%M")
    assert "15 minutes" in text and retry_at in text
    # Even the right password is refused while locked out, from another client too.
    response = client.post(LOGIN, {"username": "analyst", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_locks_a_client_out_whatever_usernames_it_tries(client, analyst):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _fail(client, username=name, ip="10.0.0.9")
    response = client.post(LOGIN, {"username": "analyst", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    # The account itself is not locked: from another client it logs in.
    response = client.post(LOGIN, {"username": "analyst", "password": PASSWORD}, REMOTE_ADDR="10.0.0.10")
    assert response.status_code == 302


def test_it_lets_the_account_in_again_after_15_minutes(client, analyst):
    from axes.models import AccessAttempt

    _fail(client, times=5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response = client.post(LOGIN, {"username": "analyst", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302


def test_it_audits_the_lockout_as_a_failed_login(client, analyst):
    _fail(client, times=6)
    events = list(AuditEvent.objects.filter(action="login_failed").order_by("id").values_list("username", "detail"))
    assert events[:4] == [("analyst", {})] * 4
    assert events[4:] == [("analyst", {"locked_out": True})] * 2


def test_it_leaves_the_test_clients_login_and_force_login_working(client, analyst):
    assert client.login(username="analyst", password=PASSWORD)
    client.logout()
    client.force_login(analyst)
    assert client.get("/").status_code == 200


def test_it_counts_the_client_behind_a_trusted_proxy_not_the_proxy(rf, settings):
    from core.lockout import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", REMOTE_ADDR="10.0.0.254")
    assert client_ip(request) == "10.0.0.254"  # no proxy trusted: the header could be forged
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the address the proxy saw, not the one the client claimed
