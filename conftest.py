"""The fixed cast of users every test may use, one per role (and one with none), and what the
suite needs to run on SQLite as well as PostgreSQL."""
import importlib
import io
from unittest import mock

import pytest
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.test.client import ClientMixin

from core import roles
from core.models import Organisation
from ingestion.services import upload_create, upload_process
from tests.factories import force_of

PASSWORD = "correct-horse-battery-staple"


def _login_with_a_request(login):
    """django-axes checks every authentication against the client it comes from, so it needs the
    request; the test client's login() passes none. Give it one from 127.0.0.1 (force_login needs
    nothing: it does not authenticate)."""

    def client_login(self, **credentials):
        if "request" not in credentials:
            request = HttpRequest()
            request.META["REMOTE_ADDR"] = "127.0.0.1"
            credentials["request"] = request
        return login(self, **credentials)

    return client_login


ClientMixin.login = _login_with_a_request(ClientMixin.login)


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


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """The test client and the live server speak plain HTTP: no redirect to HTTPS (before any live
    server builds its middleware)."""
    from django.test.utils import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded originals go to a per-test folder, never into the working tree; passwords hash fast."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not Django's in-memory default, so that a child
    process (`manage.py ingest` run from the shell) sees what a transactional test committed."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test_soc_harm.sqlite3")


@pytest.fixture(scope="session", autouse=True)
def _sqlite_flush_lifts_the_audit_triggers():
    """After a transactional test, flush empties every table. PostgreSQL uses TRUNCATE, which the
    audit trail's row triggers let through; SQLite uses DELETE, which they refuse. So on SQLite the
    flush drops the two triggers, deletes, and creates them again, in its one transaction."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    migration = importlib.import_module("portal.migrations.0003_audit_append_only")
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "portal_auditevent" not in tables:
            return statements
        return [*migration.SQLITE_DOWN, *statements, *migration.SQLITE_UP]

    with mock.patch.object(operations, "sql_flush", sql_flush):
        yield


@pytest.fixture
def force():
    return Organisation.objects.get(code="force")


@pytest.fixture
def coroner():
    return Organisation.objects.get(code="coroner")


@pytest.fixture
def crimestoppers():
    return Organisation.objects.get(code="crimestoppers")


@pytest.fixture
def force_area(db):
    """A bare force root, for a test that applies records without building a geography."""
    return force_of(None)


@pytest.fixture
def ingest(force, analyst):
    """Upload bytes as the force (or another organisation) and process them synchronously."""

    def run(kind, data: bytes, *, name="file.csv", organisation=None, user=None, options=None, force_area=None):
        # Records belong to a force: a test that built no geography gets a bare force root.
        if force_area is None:
            force_of(None)
        upload = upload_create(
            organisation=organisation or force, kind=kind, fileobj=io.BytesIO(data), original_name=name,
            user=user or analyst, options=options, dispatch=False,
            force_id=None if force_area is None else force_area.pk,
        )
        return upload_process(upload_id=upload.pk)

    return run


@pytest.fixture(scope="session")
def seed_data(django_db_setup):
    """The rows migrations seed (roles, organisations, measures), serialized when the test database was made.

    Taken before Playwright starts (the browser fixture asks for it): under its sync API the connection
    Django restores them from is another object, so serialized_rollback alone leaves the next test
    without them. Transactional tests that run after the browser tests use ``seeded`` too.
    """
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture
def seeded(transactional_db, seed_data):
    from django.contrib.auth.models import Group
    from django.db import connection

    if seed_data and not Group.objects.exists():
        from django.core.management import call_command

        # The flush after the previous test re-created content types and permissions; start clean.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(seed_data)
