"""Two uploads applied at the same moment, their references overlapping in opposite orders: both apply
(PostgreSQL; SQLite lets one writer at a time anyway)."""
import io

import pytest
from django.db import connection

from ingestion.services import upload_create
from ingestion.tests.concurrency import apply_together
from nominals.models import Nominal
from records.models import Record
from tests.factories import csv_bytes, policeuk_file, policeuk_row

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")

REFS = [f"r{i:04d}" for i in range(3000)]
NOMINALS_HEADER = ["ref", "name", "born_on", "latitude", "longitude", "easting", "northing", "restricted"]


def _policeuk(refs, month):
    return policeuk_file([policeuk_row(ref, month=month) for ref in refs])


def _nominals(refs, name):
    return csv_bytes([NOMINALS_HEADER, *[[ref, f"{name} {ref}", "", "", "", "", "", ""] for ref in refs]])


CASES = {
    # kind: (two files, the rows written, the field the later file sets throughout)
    "policeuk": ((_policeuk(REFS, "2023-01"), _policeuk(reversed(REFS), "2023-02")), Record.objects, "month"),
    "nominals": ((_nominals(REFS, "First"), _nominals(reversed(REFS), "Second")), Nominal.objects, "name"),
}


@pytest.mark.usefixtures("force_area")
@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # each thread commits on its own connection
def test_it_applies_both_of_two_overlapping_uploads(force, analyst, monkeypatch, kind):
    files, rows, field = CASES[kind]
    uploads = [upload_create(organisation=force, kind=kind, fileobj=io.BytesIO(data), original_name=f"{i}.csv",
                             user=analyst, dispatch=False) for i, data in enumerate(files)]
    # Both runs enter their apply transaction together.
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request", lambda **kwargs: None)
    apply_together(uploads, monkeypatch)
    assert rows.count() == len(REFS)
    # The later apply wrote every reference after the earlier one: never a mix of the two files.
    values = set(rows.values_list(field, flat=True))
    assert len({str(v).split(" ")[0] for v in values}) == 1
