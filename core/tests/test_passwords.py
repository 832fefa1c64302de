"""Password rules: at least 12 characters, not like the user's name or email, not all digits, not
common, and not the demo password outside demo mode."""
import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def _codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def test_it_refuses_short_similar_numeric_and_common_passwords():
    user = User(username="jbloggs-analyst", first_name="Josephine", last_name="Bloggsworth",
                email="josephine.bloggsworth@northumbria.example")
    assert "password_too_short" in _codes("vb7-kq2!zwx")  # 11 characters
    assert _codes("vb7-kq2!zwx4") == set()  # 12
    assert "password_too_similar" in _codes("jbloggs-analyst!", user)
    assert "password_too_similar" in _codes("Bloggsworth123", user)
    assert "password_too_similar" in _codes("josephine.bloggsworth@northumbria", user)
    assert "password_entirely_numeric" in _codes("839201746352")
    assert "password_too_common" in _codes("password1234")


def test_it_refuses_the_demo_password_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    assert _codes(settings.DEMO_PASSWORD) == {"password_is_demo_password"}
    settings.DEMO_MODE = True
    assert _codes(settings.DEMO_PASSWORD) == set()


def test_it_reads_the_demo_password_from_the_environment(monkeypatch):
    import importlib

    import portal.settings

    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-secret")
    try:
        assert importlib.reload(portal.settings).DEMO_PASSWORD == "another-demo-secret"
    finally:
        monkeypatch.undo()
        assert importlib.reload(portal.settings).DEMO_PASSWORD == "harm-demo-2026"


def test_it_still_gives_the_demo_users_the_demo_password_in_demo_mode(settings):
    from portal.demo_users import ensure_demo_users

    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "harm-demo-2026"
    ensure_demo_users()
    assert User.objects.get(username="analyst").check_password("harm-demo-2026")
