"""Sessions end after 30 minutes idle, 12 hours after login at most, and when the browser closes."""
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from conftest import PASSWORD
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _log_in(client):
    response = client.post("/accounts/login/", {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_it_ends_a_session_when_the_browser_closes(client, analyst):
    response = _log_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie


def test_it_ends_a_session_after_30_minutes_idle_and_each_request_restarts_the_clock(client, analyst):
    _log_in(client)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    session = client.session
    key = session.session_key
    session["renewed_at"] = time.time() - 61  # the expiry is renewed at most once a minute
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timezone.timedelta(minutes=1))
    assert client.get("/").status_code == 200
    expires = Session.objects.get(pk=key).expire_date
    assert abs((expires - timezone.now()).total_seconds() - 30 * 60) < 60  # idle clock restarted
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_ends_a_session_12_hours_after_login_however_active(client, analyst):
    _log_in(client)
    session = client.session
    assert time.time() - session["login_at"] < 60
    session["login_at"] = time.time() - 12 * 3600 + 60
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session["login_at"] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action="logout").latest("id")
    assert (event.username, event.detail) == ("analyst", {"reason": "session_max_age"})
    assert client.get("/").status_code == 302  # still logged out


def test_it_takes_both_limits_from_the_environment(monkeypatch):
    import importlib

    import portal.settings

    monkeypatch.setenv("SESSION_IDLE_SECONDS", "600")
    monkeypatch.setenv("SESSION_MAX_SECONDS", "3600")
    try:
        reloaded = importlib.reload(portal.settings)
        assert (reloaded.SESSION_COOKIE_AGE, reloaded.SESSION_MAX_SECONDS) == (600, 3600)
    finally:
        monkeypatch.undo()
        importlib.reload(portal.settings)
