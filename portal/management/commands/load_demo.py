from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand

from core.models import Organisation
from ingestion.services import upload_create, upload_process
from nominals.models import Group, Nominal
from portal.demo_geography import load_geography
from portal.demo_packs import demo_packs
from portal.demo_synthetic import load_synthetic
from portal.demo_users import ensure_demo_users
from records.models import Record
from scoring.services import css_edition_load, scores_recompute
from sectors.models import Area
from tasking.models import Activity

POLICEUK_DIR = Path(settings.BASE_DIR) / "data" / "policeuk_northumbria"
CSS_FILE = Path(settings.BASE_DIR) / "data" / "crime_severity" / "crime_severity_weights.csv"


class Command(BaseCommand):
    help = ("Load the demo: real geography, CSS weights and police.uk crimes, plus a synthetic SOC layer and "
            "activities. Idempotent.")

    def handle(self, *args, **options):
        self.stdout.write("Geography (force, 6 area commands, 177 wards, 916 LSOAs)...")
        load_geography()
        self.stdout.write("ONS Crime Severity Score weights...")
        css_edition_load(path=CSS_FILE, activate=True, **CSS_EDITION)
        force = Organisation.objects.get(code="force")
        for path in sorted(POLICEUK_DIR.glob("*-street.csv")):
            with open(path, "rb") as handle:
                upload = upload_create(organisation=force, kind="policeuk", fileobj=File(handle, name=path.name),
                                       original_name=path.name, user=None)
            upload = upload_process(upload_id=upload.id)
            self.stdout.write(f"  {path.name}: {upload.status}, {upload.rows_applied} applied, "
                              f"{upload.rows_unchanged} unchanged, {upload.rows_unlocated} unlocated")
        self.stdout.write("Synthetic SOC layer (fictional people, groups and events)...")
        self.stdout.write(f"  {load_synthetic()}")
        if settings.DEMO_MODE:
            ensure_demo_users()
        run = scores_recompute()
        self.stdout.write(f"Harm scores: {run.rows_written} cells in {run.duration_ms} ms")
        self.stdout.write(f"Tasking packs: {demo_packs()} prepared")
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded: {Area.objects.count()} areas, {Record.objects.count()} records, "
            f"{Nominal.objects.count()} nominals, {Group.objects.count()} groups, {Activity.objects.count()} activities"
        ))


CSS_EDITION = {
    "code": "ons-css-2020",
    "label": "ONS Crime Severity Score (experimental), edition current in late 2020 (release unverified)",
    "source": "ONS cssdatatool.xls 'List of weights', republished by M-O-P-D/crims (see data/PROVENANCE.md). "
              "134 offence codes matched to police recorded crime; not the full ONS list.",
}
