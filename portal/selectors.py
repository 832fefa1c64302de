from django.db.models import Count

from ingestion.models import Record, RecordKind
from nominals.models import Group, Nominal
from portal import roles
from sectors.models import Area, Level


def home_summary(*, user) -> dict:
    """What the home page shows this user: counts of the data they may know about."""
    summary = {}
    if roles.has_role(user, roles.ANALYST, roles.OFFICER, roles.ADMINISTRATOR):
        summary["areas"] = {
            Level(level).label: n
            for level, n in Area.objects.values_list("level").annotate(n=Count("id")).order_by("level")
        }
        labels = dict(RecordKind.choices)
        summary["records"] = {
            labels.get(kind, kind): n
            for kind, n in Record.objects.values_list("kind").annotate(n=Count("id")).order_by("kind")
        }
        summary["synthetic_records"] = Record.objects.filter(is_synthetic=True).count()
    if roles.has_role(user, roles.ANALYST):
        summary["nominals"] = Nominal.objects.count()
        summary["groups"] = Group.objects.count()
    if roles.has_role(user, roles.ANALYST, roles.PARTNER):
        from ingestion.selectors import uploads_visible

        summary["uploads"] = uploads_visible(user=user).count()
    return summary


def organisation_of(*, user):
    """The partner organisation a user belongs to (through its group), or None."""
    from portal.models import Organisation

    if not user.is_authenticated:
        return None
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER, group__user=user).first()


def audit_events(*, user, username: str = "", action: str = "", since=None, until=None):
    """The audit trail, newest first, for a governance lead."""
    from portal.models import AuditEvent
    from portal.permissions import require_governance

    require_governance(user)
    events = AuditEvent.objects.all()
    if username:
        events = events.filter(username__iexact=username)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")
