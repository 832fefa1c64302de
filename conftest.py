"""The fixed cast of users every test may use, one per role (and one with none)."""
import pytest
from django.contrib.auth.models import Group, User

from portal import roles
from portal.models import Organisation

PASSWORD = "correct-horse-battery-staple"


def _user(username, *group_names, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    for name in group_names:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def analyst(db):
    return _user("analyst", roles.ANALYST)


@pytest.fixture
def officer(db):
    return _user("officer", roles.OFFICER)


@pytest.fixture
def partner_a(db):
    """Coroner's office staff."""
    org = Organisation.objects.get(code="coroner")
    return _user("partner_a", roles.PARTNER, org.group.name)


@pytest.fixture
def partner_b(db):
    """Crimestoppers staff."""
    org = Organisation.objects.get(code="crimestoppers")
    return _user("partner_b", roles.PARTNER, org.group.name)


@pytest.fixture
def governance(db):
    return _user("governance", roles.GOVERNANCE)


@pytest.fixture
def administrator(db):
    return _user("administrator", roles.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def outsider(db):
    """Logged in, but holds no role at all."""
    return _user("outsider")


@pytest.fixture
def cast(analyst, officer, partner_a, partner_b, governance, administrator, outsider):
    return {u.username: u for u in (analyst, officer, partner_a, partner_b, governance, administrator, outsider)}


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded originals go to a per-test folder, never into the working tree; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
