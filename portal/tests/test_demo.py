import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

from ingestion.models import Record
from portal.demo_users import DEMO_USERS
from scoring.models import HarmScore
from sectors.models import Area, Level

COUNTED = ["sectors.Area", "ingestion.Record", "ingestion.Upload", "nominals.Nominal", "nominals.Group",
           "nominals.Membership", "nominals.PriorityStatus", "nominals.RecordNominal", "nominals.DiversionReferral",
           "scoring.OffenceType", "scoring.OffenceWeight", "scoring.CssEdition", "scoring.HarmScore", "auth.User"]


def _counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.fixture(scope="module")
def loaded_twice(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    with django_db_blocker.unblock():
        old = settings.DEMO_MODE, settings.MEDIA_ROOT
        settings.DEMO_MODE, settings.MEDIA_ROOT = True, tmp_path_factory.mktemp("media")
        try:
            call_command("load_demo", verbosity=0)
            first = _counts()
            call_command("load_demo", verbosity=0)
            second = _counts()
        finally:
            settings.DEMO_MODE, settings.MEDIA_ROOT = old
    yield first, second
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        # flush emptied the roles and organisations: apply their data migration again.
        call_command("migrate", "portal", "0001", verbosity=0)
        call_command("migrate", verbosity=0)


@pytest.mark.django_db
def test_it_loads_the_same_counts_twice(loaded_twice):
    first, second = loaded_twice
    assert first == second


@pytest.mark.django_db
def test_it_loads_the_real_geography_and_crimes(loaded_twice):
    first, _ = loaded_twice
    assert dict(
        (level, Area.objects.filter(level=level).count()) for level in Level.values
    ) == {Level.FORCE: 1, Level.COMMAND: 6, Level.SECTOR: 177, Level.NEIGHBOURHOOD: 916}
    policeuk = Record.objects.filter(kind="policeuk", is_synthetic=False)
    # 43,083 published rows, less anti-social behaviour (8,276, not notifiable offences).
    assert policeuk.count() == 34807
    assert policeuk.filter(sector__isnull=True).count() < 100
    assert first["scoring.OffenceWeight"] >= 134


@pytest.mark.django_db
def test_it_labels_every_synthetic_row(loaded_twice):
    synthetic = Record.objects.filter(is_synthetic=True)
    assert synthetic.count() > 3000
    assert not synthetic.exclude(external_ref__startswith="SYN-").exists()
    assert set(synthetic.values_list("kind", flat=True)) == {
        "crime", "drug_death", "crimestoppers", "trading_standards", "firearms_intel"}
    assert not Record.objects.filter(is_synthetic=False, external_ref__startswith="SYN-").exists()


@pytest.mark.django_db
def test_it_creates_one_demo_user_per_role_and_scores(loaded_twice):
    assert set(User.objects.values_list("username", flat=True)) >= {u[0] for u in DEMO_USERS}
    assert HarmScore.objects.filter(area__level=Level.SECTOR).exists()


def test_it_refuses_demo_users_outside_demo_mode(db, settings):
    from django.core.exceptions import ImproperlyConfigured

    from portal.demo_users import ensure_demo_users

    settings.DEMO_MODE = False
    before = User.objects.count()
    with pytest.raises(ImproperlyConfigured):
        ensure_demo_users()
    assert User.objects.count() == before
