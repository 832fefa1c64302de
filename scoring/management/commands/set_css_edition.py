from django.core.management.base import BaseCommand, CommandError

from scoring.models import CssEdition
from scoring.services.recompute import css_edition_switch


class Command(BaseCommand):
    help = "Switch the active Crime Severity Score edition and recompute every score with it."

    def add_arguments(self, parser):
        parser.add_argument("code")

    def handle(self, *args, **opts):
        try:
            run = css_edition_switch(code=opts["code"])
        except CssEdition.DoesNotExist:
            known = ", ".join(CssEdition.objects.values_list("code", flat=True)) or "none loaded"
            raise CommandError(f"No edition {opts['code']!r} (known: {known})") from None
        self.stdout.write(f"Edition {opts['code']} active; recomputed {run.rows_written} cells "
                          f"in {run.duration_ms} ms (run {run.pk})")
