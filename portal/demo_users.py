"""Demo users, one per role. Created only in demo mode (DEBUG on), never in production."""
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured

from core import roles
from core.models import Organisation
from records.permissions import area_records_grant
from sectors.models import Area, Level

# username, roles, organisation code (partners), description
DEMO_USERS = [
    ("analyst", [roles.ANALYST], None, "intelligence analyst: everything analytical"),
    ("officer", [roles.OFFICER], None, "neighbourhood officer: rankings; raw records in 3 granted sectors"),
    ("governance", [roles.GOVERNANCE], None, "governance lead: the audit trail, read-only"),
    ("admin", [roles.ADMINISTRATOR], None, "administrator: users, roles, reference data"),
    ("coroner", [roles.PARTNER], "coroner", "partner: Coroner's office uploads"),
    ("crimestoppers", [roles.PARTNER], "crimestoppers", "partner: Crimestoppers uploads"),
    ("tradingstandards", [roles.PARTNER], "tradingstandards", "partner: Trading Standards uploads"),
]


def demo_password() -> str:
    """settings.DEMO_PASSWORD. Set without the password validators (which refuse it outside demo mode)."""
    return settings.DEMO_PASSWORD


def ensure_demo_users() -> list[str]:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo users exist only in demo mode (DEBUG on)")
    created = []
    for username, role_names, org_code, _ in DEMO_USERS:
        user, was_created = User.objects.get_or_create(username=username)
        user.set_password(demo_password())
        user.is_staff = roles.ADMINISTRATOR in role_names
        user.save(update_fields=["password", "is_staff"])
        wanted = [Group.objects.get(name=name) for name in role_names]
        if org_code:
            wanted.append(Organisation.objects.get(code=org_code).group)
        missing = [g for g in wanted if not user.groups.filter(pk=g.pk).exists()]
        if missing:
            user.groups.add(*missing)
        if was_created:
            created.append(username)
    officer = User.objects.get(username="officer")
    for sector in Area.objects.filter(level=Level.SECTOR).order_by("code")[:3]:
        if not officer.has_perm("sectors.view_area_records", sector):
            area_records_grant(user=officer, area=sector, granted_by=None)
    return created
