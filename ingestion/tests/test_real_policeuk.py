"""The real data.police.uk file for Northumbria, December 2022, as published."""
import json
from pathlib import Path

import pytest
from django.conf import settings

from records.models import Record
from sectors.models import Area
from sectors.services import areas_import

pytestmark = pytest.mark.django_db
DATA = Path(settings.BASE_DIR) / "data"


def test_it_ingests_the_real_police_uk_file(ingest, force_area):
    # The six Northumbria local authorities as area commands (of the twelve North East ones).
    features = json.loads((DATA / "boundaries/north_east_lad_simplified.geojson").read_text())["features"]
    northumbria = [f for f in features if f["properties"]["POLICE_FORCE_AREA"] == "Northumbria"]
    areas_import(level=1, features=northumbria, code_property="LAD13CD", name_property="LAD13NM", source="test")
    data = (DATA / "policeuk_northumbria/2022-12-northumbria-street.csv").read_bytes()

    upload = ingest("policeuk", data, name="2022-12-northumbria-street.csv")

    assert upload.status == "applied", upload.errors[:5]
    # 12,949 rows: 2,493 anti-social behaviour rows (no Crime ID) skipped, 10,456 crimes applied.
    assert (upload.rows_total, upload.rows_skipped, upload.rows_applied, upload.error_count) == (12949, 2493, 10456, 0)
    assert Record.objects.filter(kind="policeuk").count() == 10456
    # Every crime has a location; the few outside Northumbria (Carlisle, County Durham...) are kept, unlocated.
    assert Record.objects.filter(lat__isnull=True).count() == 0
    assert upload.rows_unlocated == Record.objects.filter(command__isnull=True).count()
    assert 0 < upload.rows_unlocated < 20
    assert Area.objects.exclude(pk=force_area.pk).count() == 6
    again = ingest("policeuk", data + b"\n", name="again.csv")  # same rows, different bytes: a new upload
    assert (again.rows_applied, again.rows_unchanged, again.rows_skipped) == (0, 10456, 2493)
