import io

import pytest
from django.core.management import call_command

from api.models import ApiToken
from api.services import key_hash, token_create, token_revoke
from core.models import AuditEvent


def _command(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_it_reads_the_ranking_with_a_token_made_by_the_command(client, officer):
    key = _command("create", "officer")
    token = ApiToken.objects.get(user=officer)
    assert token.key_hash == key_hash(key) and key not in token.key_hash  # only the hash is kept
    response = client.get("/api/rankings/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and "results" in response.json()
    event = AuditEvent.objects.get(object_type="api_token", object_id=str(token.pk))
    assert event.action == AuditEvent.Action.PERMISSION_CHANGE and event.username == "(system)"
    assert event.detail == {"change": "created", "for": "officer", "prefix": key[:8]}


def test_it_refuses_a_revoked_token(client, officer):
    key = _command("create", "officer")
    assert _command("revoke", "officer") == "Revoked 1 token(s) of officer"
    assert client.get("/api/rankings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403
    changes = AuditEvent.objects.filter(object_type="api_token").order_by("id")
    assert [e.detail["change"] for e in changes] == ["created", "revoked"]
    assert _command("revoke", "officer") == "Revoked 0 token(s) of officer"  # nothing more to audit
    assert changes.count() == 2


@pytest.mark.parametrize("header", ["Token wrong", "Token", "Token a b"])
def test_it_refuses_a_wrong_key(client, officer, header):
    token_create(user=officer)
    assert client.get("/api/rankings/", HTTP_AUTHORIZATION=header).status_code == 403


def test_it_refuses_the_token_of_a_disabled_user(client, officer):
    _, key = token_create(user=officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert client.get("/api/rankings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403


def test_it_gives_a_token_no_more_than_its_user_may(client, governance):
    _, key = token_create(user=governance)  # governance leads may not see rankings
    assert client.get("/api/rankings/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 404


def test_an_administrator_makes_and_revokes_tokens_in_the_admin(client, administrator, officer):
    client.force_login(administrator)
    response = client.post("/admin/api/apitoken/add/", {"user": officer.pk}, follow=True)
    token = ApiToken.objects.get(user=officer)
    shown = [str(m) for m in response.context["messages"]]
    key = next(m.rsplit(" ", 1)[1] for m in shown if "shown only now" in m)
    assert key_hash(key) == token.key_hash
    created = AuditEvent.objects.get(object_type="api_token", detail__change="created")
    assert created.user == administrator
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(object_type="api_token", detail__change="revoked").user == administrator
    assert not token_revoke(token=token)  # once


def test_it_may_not_be_used_by_an_outsider_in_the_admin(client, officer):
    client.force_login(officer)
    assert client.get("/admin/api/apitoken/").status_code in (302, 404)
