from django.contrib.auth.models import Group

from core import roles
from core.models import Organisation


def test_it_creates_every_role_with_its_permissions(db):
    for role, perms in roles.ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(perms), role


def test_it_gives_each_partner_organisation_its_own_group(db):
    partners = Organisation.objects.filter(kind="partner")
    assert {o.code for o in partners} == {"coroner", "crimestoppers", "tradingstandards"}
    assert len({o.group_id for o in partners}) == 3


def test_it_keeps_partners_and_officers_away_from_records(db):
    for role in (roles.PARTNER, roles.OFFICER, roles.GOVERNANCE):
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert "view_record" not in codenames
        assert "view_nominal" not in codenames


def test_it_lets_only_governance_read_the_audit_trail(db):
    holders = Group.objects.filter(permissions__codename="view_auditevent").values_list("name", flat=True)
    assert list(holders) == [roles.GOVERNANCE]
