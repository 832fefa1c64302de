from django.db.models import Count

from core.permissions import can_audit
from core.selectors import audit_events
from ingestion.permissions import can_use_uploads
from ingestion.selectors import uploads_visible
from nominals.models import Group, Nominal
from nominals.permissions import can_research
from pages.selectors.audit import audit_rows
from pages.selectors.overview import overview_cached
from records.models import Record, RecordKind
from records.permissions import record_sector_ids
from scoring import selectors as scoring_selectors
from scoring.permissions import can_see_rankings
from sectors.models import Area, Level

TOP = 5
LATEST_UPLOADS = 5
LATEST_EVENTS = 8


def _harm_picture(user) -> dict:
    """The force's harm and its change, the top sectors and the largest significant changes: the
    sector ranking of the default window (the overview's, cached) and the force's own row."""
    data = overview_cached(user=user, level=Level.SECTOR)
    ranking = data["ranking"]
    if ranking.end is None:
        return {"ranking": ranking}
    force = scoring_selectors.ranking(user=user, level=Level.FORCE).rows
    changes = sorted((r for r in ranking.rows if r.significant), key=lambda r: -abs(r.harm_change))
    force = force[0] if force else None
    change = (100 * force.harm_change / force.previous_harm) if force and force.previous_harm else None
    return {"ranking": ranking, "force": force, "force_change_pct": change, "top": ranking.rows[:TOP],
            "changes": changes[:TOP], "window_months": data["window_months"]}


def home_summary(*, user) -> dict:
    """What the home page shows this user, each part only to those who may see it."""
    summary = {}
    if can_see_rankings(user):
        summary["harm"] = _harm_picture(user)
        granted = record_sector_ids(user)
        summary["record_sectors"] = None if granted is None else list(
            Area.objects.filter(pk__in=granted).order_by("name").values("id", "name"))
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
        uploads = uploads_visible(user=user)
        summary["uploads"] = uploads.count()
        summary["latest_uploads"] = list(uploads.select_related("organisation").order_by("-created_at", "-pk")
                                         [:LATEST_UPLOADS])
    if can_audit(user):
        summary["audit"] = audit_rows(audit_events(user=user)[:LATEST_EVENTS])
    return summary
