"""The roles in the database are the bundles declared in core.roles, and they decide what each role may do."""
import importlib

from django.contrib.auth.models import Group

from core import roles
from core.models import Organisation
from core.permissions import can_audit
from ingestion.permissions import can_use_uploads
from nominals.permissions import can_research
from records.permissions import record_sector_ids
from scoring.permissions import (
    can_manage_scoring_runs,
    can_see_demand,
    can_see_rankings,
)


def _held(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_it_holds_in_the_database_exactly_the_bundles_the_code_declares(db):
    # Fails when core.roles changes without a migration that applies the change (core/migrations).
    for role, perms in roles.ROLE_PERMISSIONS.items():
        assert _held(role) == set(perms), role


# The newest migration that states the bundles; a change to core.roles adds another like it.
LATEST_BUNDLES = "api.migrations.0002_role_bundles"


def test_it_states_the_bundles_in_the_migration_not_by_reading_the_code():
    migration = importlib.import_module(LATEST_BUNDLES)
    assert migration.BUNDLES == roles.ROLE_PERMISSIONS
    source = open(migration.__file__).read()
    assert "from core" not in source and "import core" not in source


def test_it_decides_access_by_permission_for_each_role(cast):
    checks = {"rankings": can_see_rankings, "demand": can_see_demand, "runs": can_manage_scoring_runs,
              "research": can_research, "upload": can_use_uploads, "audit": can_audit,
              "all records": lambda u: record_sector_ids(u) is None}
    expected = {
        "analyst": {"rankings", "demand", "runs", "research", "upload", "all records"},
        "officer": {"rankings"},
        "partner_a": {"upload"},
        "partner_b": {"upload"},
        "governance": {"audit"},
        "administrator": {"runs"},
        "outsider": set(),
    }
    for name, user in cast.items():
        assert {check for check, allowed in checks.items() if allowed(user)} == expected[name], name


def test_it_opens_a_page_to_a_user_given_its_permission_whatever_their_group(db, outsider):
    from django.contrib.auth.models import Permission

    assert not can_see_rankings(outsider)
    outsider.user_permissions.add(Permission.objects.get(content_type__app_label="scoring", codename="view_harmscore"))
    outsider = type(outsider).objects.get(pk=outsider.pk)  # a fresh permission cache
    assert can_see_rankings(outsider) and not can_research(outsider)


def test_it_gives_each_partner_organisation_its_own_group(db):
    partners = Organisation.objects.filter(kind="partner")
    assert {o.code for o in partners} == {"coroner", "crimestoppers", "tradingstandards"}
    assert len({o.group_id for o in partners}) == 3


def test_it_lets_only_governance_read_the_audit_trail(db):
    holders = Group.objects.filter(permissions__codename="view_auditevent").values_list("name", flat=True)
    assert list(holders) == [roles.GOVERNANCE]
