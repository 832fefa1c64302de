from datetime import date

from django.core.management.base import BaseCommand, CommandError

from scoring.services import scores_recompute
from sectors.models import Area, Level


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError(f"--month {text!r}: expected YYYY-MM") from None


class Command(BaseCommand):
    help = "Recompute the stored harm scores now: all of them, or some months and/or areas."

    def add_arguments(self, parser):
        parser.add_argument("--month", action="append", default=[], help="YYYY-MM; repeat for several")
        parser.add_argument("--area", action="append", default=[], help="Area code; repeat for several")
        parser.add_argument("--force", metavar="CODE", help="The code of one force: its scores only (the areas, "
                                                            "if given, must be its own)")

    def handle(self, *args, **opts):
        months = [_month(m) for m in opts["month"]] or None
        area_ids = None
        if opts["area"]:
            found = dict(Area.objects.filter(code__in=opts["area"]).values_list("code", "id"))
            missing = sorted(set(opts["area"]) - set(found))
            if missing:
                raise CommandError(f"Unknown area code(s): {', '.join(missing)}")
            area_ids = list(found.values())
        force_id = None
        if opts.get("force"):
            force_id = Area.objects.filter(level=Level.FORCE, code=opts["force"]).values_list("pk", flat=True).first()
            if force_id is None:
                raise CommandError(f"No force with code {opts['force']!r}")
        run = scores_recompute(force_id=force_id, area_ids=area_ids, months=months)
        self.stdout.write(f"Run {run.pk}: {run.rows_written} cells in {run.duration_ms} ms "
                          f"({run.unweighted_records} records without a weight left out)")
