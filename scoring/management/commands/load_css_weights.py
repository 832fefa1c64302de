from django.core.management.base import BaseCommand, CommandError

from scoring.services import css
from scoring.services.recompute import css_edition_switch


class Command(BaseCommand):
    help = "Load a Crime Severity Score edition (and the police.uk approximations) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(css.DEFAULT_PATH))
        parser.add_argument("--code", default=css.DEFAULT_CODE)
        parser.add_argument("--label", default=css.DEFAULT_LABEL)
        parser.add_argument("--source", default=css.DEFAULT_SOURCE)
        parser.add_argument("--activate", action="store_true", help="Make it the active edition and recompute")

    def handle(self, *args, **opts):
        try:
            edition = css.css_edition_load(path=opts["path"], code=opts["code"], label=opts["label"],
                                           source=opts["source"], activate=False)
        except (OSError, css.CssFileError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Loaded {edition.weights.count()} weights into edition {edition.code}")
        if opts["activate"]:
            run = css_edition_switch(code=edition.code)
            self.stdout.write(f"Active; recomputed {run.rows_written} cells in {run.duration_ms} ms")
