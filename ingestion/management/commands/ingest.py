"""Upload and process a file from the command line, through the same services as the pages.

    manage.py ingest --kind policeuk --org force data/policeuk_northumbria/2023-02-northumbria-street.csv

Exits 0 when the file is applied, 1 when it is rejected or fails.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.models import Organisation
from sectors.models import Area, Level
from ingestion.models import Upload, UploadKind
from ingestion.services import (
    UploadForceRefused,
    UploadRefused,
    UploadTooLarge,
    upload_create,
    upload_process,
)


class Command(BaseCommand):
    help = "Validate and apply one data file (synchronously), and print its report."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=UploadKind.values)
        parser.add_argument("--org", default="force", help="organisation code (default: force)")
        parser.add_argument("--force", metavar="CODE",
                            help="the code of the force the file is for (required when there are several)")
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                            help="e.g. --option level=2 --option code_property=WD13CD (boundaries)")

    def handle(self, *args, file: Path, kind: str, org: str, option: list[str], force: str | None = None,
               **kwargs):
        try:
            organisation = Organisation.objects.get(code=org)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with code {org!r}") from None
        options = dict(item.split("=", 1) for item in option if "=" in item)
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        force_id = None
        if force is not None:
            force_id = Area.objects.filter(level=Level.FORCE, code=force).values_list("pk", flat=True).first()
            if force_id is None:
                raise CommandError(f"No force with code {force!r}")
        try:
            with file.open("rb") as fileobj:
                upload = upload_create(organisation=organisation, kind=kind, fileobj=fileobj,
                                       original_name=file.name, user=None, options=options, force_id=force_id,
                                       dispatch=False)
        except (UploadTooLarge, UploadForceRefused, UploadRefused) as exc:
            raise CommandError(str(exc)) from None
        if upload.status == Upload.Status.RECEIVED:
            upload = upload_process(upload_id=upload.pk)
        else:
            self.stdout.write(f"This file was uploaded before (upload {upload.pk}); its report:")
        self._report(upload)
        if upload.status != Upload.Status.APPLIED:
            raise CommandError(f"upload {upload.pk} {upload.status}", returncode=1)

    def _report(self, upload: Upload) -> None:
        out = self.stdout.write
        out(f"upload {upload.pk}: {upload.kind} {upload.status}")
        out(f"  rows {upload.rows_total}, applied {upload.rows_applied}, unchanged {upload.rows_unchanged}, "
            f"skipped {upload.rows_skipped}, outside every area {upload.rows_unlocated}, errors {upload.error_count}")
        for error in upload.errors[:50]:
            out(f"  row {error.get('row') or '-'} {error.get('column') or ''}: {error.get('message')}")
        if upload.error_count > 50:
            out(f"  ... {upload.error_count - 50} more (see the upload page or its report.csv)")
        if upload.failure:
            out(upload.failure.strip().splitlines()[-1])
