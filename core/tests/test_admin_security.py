"""The user admin as the administrator role sees it: no way to raise anyone's privileges, to take
over another account, or to change a user unaudited."""
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User

from conftest import PASSWORD
from core.models import AuditEvent


class _FormReader(HTMLParser):
    """The fields of the admin's main form as a browser would send them (checked boxes only,
    selected options only, no submit buttons)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data, self.names = form_id, False, {}, set()
        self._select, self._textarea = None, None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.names.add(a["name"])  # every field of the form, ticked or not
        if "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
                return
            self._add(a["name"], a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def _read_form(client, url, form_id="user_form"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.data, f"no #{form_id} in {url}"
    return reader


def _form(client, url, form_id="user_form"):
    """GET an admin form; its fields and their current values, ready to POST back."""
    return _read_form(client, url, form_id).data


def _change_form(client, user):
    return _form(client, f"/admin/auth/user/{user.pk}/change/")


def _change_form_fields(client, user):
    """The names of every field in a user's change form."""
    return _read_form(client, f"/admin/auth/user/{user.pk}/change/").names


def _last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _user_events(user, after=0):
    """The audit events about a user, after a given event id (the fixtures' own come first)."""
    return list(AuditEvent.objects.filter(object_type="user", object_id=str(user.pk), id__gt=after).order_by("id"))


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def as_administrator(client, administrator):
    client.force_login(administrator)
    return client


def test_the_change_form_has_no_privilege_fields_for_an_administrator(as_administrator, administrator, outsider):
    for user in (administrator, outsider):
        names = _change_form_fields(as_administrator, user)
        assert {"username", "first_name", "groups", "is_active"} <= names
        assert not {"is_superuser", "is_staff", "user_permissions", "password"} & names


def test_an_administrator_cannot_make_themselves_superuser_or_grant_permissions(as_administrator, administrator):
    data = _change_form(as_administrator, administrator)
    last = _last_event_id()
    analyst_permissions = Group.objects.get(name="analyst").permissions.values_list("pk", flat=True)
    data.update(is_superuser="on", is_staff="on", user_permissions=[str(pk) for pk in analyst_permissions])
    response = as_administrator.post(f"/admin/auth/user/{administrator.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert administrator.is_staff  # as it was: neither set nor cleared by the form
    assert not administrator.user_permissions.exists()
    assert _user_events(administrator, after=last) == []  # nothing changed


def test_an_administrator_cannot_make_another_user_staff(as_administrator, outsider):
    data = _change_form(as_administrator, outsider)
    data.update(is_superuser="on", is_staff="on")
    assert as_administrator.post(f"/admin/auth/user/{outsider.pk}/change/", data).status_code == 302
    outsider.refresh_from_db()
    assert (outsider.is_superuser, outsider.is_staff) == (False, False)


def test_an_administrator_cannot_add_a_superuser_or_staff(as_administrator):
    reader = _read_form(as_administrator, "/admin/auth/user/add/")
    assert not {"is_superuser", "is_staff", "user_permissions"} & reader.names
    data = reader.data
    data.update(username="newcomer", password1="a-long-new-passphrase", password2="a-long-new-passphrase",
                usable_password="true", is_superuser="on", is_staff="on")
    response = as_administrator.post("/admin/auth/user/add/", data)
    assert response.status_code == 302, response.content[:2000]
    newcomer = User.objects.get(username="newcomer")
    assert (newcomer.is_superuser, newcomer.is_staff) == (False, False)
    [event] = _user_events(newcomer)
    assert (event.action, event.username, event.detail["created"]) == ("admin_change", "administrator", True)
    assert event.detail["changes"]["password"] == "set"


def test_an_administrator_cannot_set_another_users_password(as_administrator, outsider, analyst):
    for user in (outsider, analyst):
        url = f"/admin/auth/user/{user.pk}/password/"
        assert as_administrator.get(url).status_code == 404
        response = as_administrator.post(url, {"password1": "taken-over-2026!", "password2": "taken-over-2026!",
                                               "usable_password": "true", "set_usable_password": "true"})
        assert response.status_code == 404
        user.refresh_from_db()
        assert user.check_password(PASSWORD)
        assert not user.check_password("taken-over-2026!")


def test_an_administrator_changes_their_own_password_with_the_current_one(as_administrator, administrator):
    last = _last_event_id()
    response = as_administrator.get(f"/admin/auth/user/{administrator.pk}/password/")
    assert (response.status_code, response["Location"]) == (302, "/admin/password_change/")
    response = as_administrator.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "a-new-passphrase-2026", "new_password2": "a-new-passphrase-2026"})
    assert response.status_code == 302, response.content[:2000]
    administrator.refresh_from_db()
    assert administrator.check_password("a-new-passphrase-2026")
    [event] = _user_events(administrator, after=last)
    assert (event.action, event.username, event.detail["changes"]) == ("admin_change", "administrator",
                                                                        {"password": "changed"})
    assert "md5" not in str(event.detail) and "a-new-passphrase" not in str(event.detail)


def test_an_administrator_cannot_see_or_edit_a_superuser(as_administrator, superuser):
    for suffix in ("change/", "password/", "history/", "delete/"):
        assert as_administrator.get(f"/admin/auth/user/{superuser.pk}/{suffix}").status_code == 404
    response = as_administrator.post(f"/admin/auth/user/{superuser.pk}/change/",
                                     {"username": "root", "is_active": "", "first_name": "x"})
    assert response.status_code == 404
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.first_name == ""
    listing = as_administrator.get("/admin/auth/user/")
    assert listing.status_code == 200 and b">root<" not in listing.content


def test_an_administrator_changes_an_ordinary_field_in_one_audited_event(as_administrator, outsider):
    data = _change_form(as_administrator, outsider)
    data.update(first_name="Olive")
    before = AuditEvent.objects.count()
    response = as_administrator.post(f"/admin/auth/user/{outsider.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    outsider.refresh_from_db()
    assert outsider.first_name == "Olive"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.username, event.object_type, event.object_id) == (
        "admin_change", "administrator", "user", str(outsider.pk))
    assert event.detail == {"target_id": outsider.pk, "target_username": "outsider",
                            "changes": {"first_name": {"old": "", "new": "Olive"}}}


def test_a_field_and_a_role_changed_together_are_one_permission_change(as_administrator, outsider):
    data = _change_form(as_administrator, outsider)
    data.update(last_name="Oak", groups=[str(Group.objects.get(name="analyst").pk)], is_active=[])
    del data["is_active"]  # unticked
    before = AuditEvent.objects.count()
    assert as_administrator.post(f"/admin/auth/user/{outsider.pk}/change/", data).status_code == 302
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.username, event.object_id) == ("permission_change", "administrator", str(outsider.pk))
    assert event.detail["target_username"] == "outsider"
    assert event.detail["changes"] == {"last_name": {"old": "", "new": "Oak"},
                                       "is_active": {"old": True, "new": False},
                                       "groups": {"added": ["analyst"]}}


def test_saving_the_form_unchanged_records_nothing(as_administrator, outsider):
    before = AuditEvent.objects.count()
    assert as_administrator.post(f"/admin/auth/user/{outsider.pk}/change/", _change_form(as_administrator, outsider)
                                 ).status_code == 302
    assert AuditEvent.objects.count() == before


def test_a_superuser_can_grant_superuser_and_it_is_audited(client, superuser, administrator):
    client.force_login(superuser)
    assert {"is_superuser", "is_staff", "user_permissions"} <= _change_form_fields(client, administrator)
    data = _change_form(client, administrator)
    last = _last_event_id()
    data.update(is_superuser="on")
    assert client.post(f"/admin/auth/user/{administrator.pk}/change/", data).status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_superuser
    [event] = _user_events(administrator, after=last)
    assert (event.action, event.username, event.user) == ("permission_change", "root", superuser)
    assert event.detail == {"target_id": administrator.pk, "target_username": "administrator",
                            "changes": {"is_superuser": {"old": False, "new": True}}}


def test_a_superuser_can_set_another_users_password_and_it_is_audited(client, superuser, outsider):
    client.force_login(superuser)
    url = f"/admin/auth/user/{outsider.pk}/password/"
    data = _form(client, url)
    data.update(password1="reset-by-root-2026", password2="reset-by-root-2026")
    last = _last_event_id()
    assert client.post(url, data).status_code == 302
    outsider.refresh_from_db()
    assert outsider.check_password("reset-by-root-2026")
    [event] = _user_events(outsider, after=last)
    assert (event.action, event.username, event.detail["changes"]) == ("admin_change", "root", {"password": "changed"})


def test_it_deactivates_users_instead_of_deleting_them(as_administrator, analyst):
    assert as_administrator.post(f"/admin/auth/user/{analyst.pk}/delete/", {"post": "yes"}).status_code == 404
    before = _last_event_id()
    response = as_administrator.post("/admin/auth/user/", {"action": "deactivate", "_selected_action": [analyst.pk]})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_active
    [event] = _user_events(analyst, after=before)
    assert event.action == "permission_change" and event.username == "administrator"
    assert event.detail["changes"]["is_active"] == {"old": True, "new": False}


def test_it_refuses_to_delete_a_user_the_trail_names(db, analyst):
    from django.db import transaction
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError, match="deactivate"), transaction.atomic():
        analyst.delete()
    assert User.objects.filter(pk=analyst.pk).exists()


def test_it_answers_404_not_403_for_admin_pages_the_role_may_not_see(as_administrator):
    # The administrator role holds no permission on the audit trail or on the stored scores.
    for path in ("/admin/core/auditevent/", "/admin/scoring/harmscore/", "/admin/auth/group/add/"):
        assert as_administrator.get(path).status_code == 404, path
