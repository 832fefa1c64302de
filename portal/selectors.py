from django.db.models import Count

from ingestion.permissions import can_use_uploads
from ingestion.selectors import uploads_visible
from nominals.models import Group, Nominal
from nominals.permissions import can_research
from records.models import Record, RecordKind
from scoring.permissions import can_see_rankings
from sectors.models import Area, Level


def home_summary(*, user) -> dict:
    """What the home page shows this user: counts of the data they may know about."""
    summary = {}
    if can_see_rankings(user) or user.is_staff:
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
    if can_research(user):
        summary["nominals"] = Nominal.objects.count()
        summary["groups"] = Group.objects.count()
    if can_use_uploads(user):
        summary["uploads"] = uploads_visible(user=user).count()
    return summary

