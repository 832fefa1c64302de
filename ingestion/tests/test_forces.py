"""An upload names its force: its rows are that force's, looked up and placed within it only."""
import json
from datetime import date

import pytest

from ingestion.models import Upload
from ingestion.services import UploadForceRefused
from records.models import Record
from sectors.models import Area, Level
from sectors.selectors import force_root, upload_force
from tests import factories as f
from tests.factories import box, grid, policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db


def _other_force():
    """A second force east of the grid's (lon -1.4..-1.2), with a command and a sector of its own."""
    other = f.AreaFactory(level=Level.FORCE, code="OTHER", name="Other force", boundary=box(-1.4, 54.9, -1.2, 55.1))
    command = f.AreaFactory(level=Level.COMMAND, code="OC", parent=other, boundary=box(-1.4, 54.9, -1.2, 55.1))
    sector = f.AreaFactory(level=Level.SECTOR, code="OS", parent=command, boundary=box(-1.4, 54.9, -1.2, 55.1))
    return other, sector


def test_it_applies_a_reference_another_force_already_holds_as_a_record_of_its_own(ingest):
    areas = grid()
    other, _ = _other_force()
    theirs = f.RecordFactory(force=other, kind="policeuk", source="policeuk", external_ref="a1",
                             occurred_on=date(2023, 1, 1))
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1", lon="-1.7", month="2023-01")]),
                    force_area=areas["force"])
    assert (upload.status, upload.rows_applied, upload.force_id) == ("applied", 1, areas["force"].pk)
    ours = Record.objects.get(force=areas["force"], external_ref="a1")
    assert ours.pk != theirs.pk and ours.sector_id == areas["west"].pk
    theirs.refresh_from_db()
    assert (theirs.force_id, theirs.sector_id, theirs.upload_id) == (other.pk, None, None)
    again = ingest("policeuk", policeuk_file([policeuk_row("a1", lon="-1.5", month="2023-01")]), name="2.csv",
                   force_area=areas["force"])
    assert (again.rows_applied, Record.objects.filter(external_ref="a1").count()) == (1, 2)
    assert Record.objects.get(force=areas["force"], external_ref="a1").sector_id == areas["east"].pk


def test_it_refuses_an_upload_naming_no_force_where_there_are_several(ingest):
    grid()
    _other_force()
    with pytest.raises(UploadForceRefused, match="Several forces: say which force"):
        ingest("policeuk", policeuk_file([policeuk_row("a1")]))
    assert not Upload.objects.exists() and not Record.objects.exists()


def test_it_refuses_an_area_that_is_not_a_force(ingest):
    areas = grid()
    with pytest.raises(UploadForceRefused, match=f"No force root area with id {areas['west'].pk}"):
        ingest("policeuk", policeuk_file([policeuk_row("a1")]), force_area=areas["west"])
    assert not Upload.objects.exists()


def test_it_places_a_forces_rows_in_its_own_areas_only(ingest):
    """A point in the neighbouring force is outside every area of the upload's force: not placed there."""
    areas = grid()
    other, other_sector = _other_force()
    upload = ingest("policeuk", policeuk_file([policeuk_row("in", lon="-1.7"), policeuk_row("out", lon="-1.3")]),
                    force_area=areas["force"])
    assert (upload.status, upload.rows_applied, upload.rows_unlocated) == ("applied", 2, 1)
    assert Record.objects.get(external_ref="in").sector_id == areas["west"].pk
    outside = Record.objects.get(external_ref="out")
    assert (outside.force_id, outside.sector_id, outside.command_id, outside.area_id) == (areas["force"].pk,
                                                                                          None, None, None)
    theirs = ingest("policeuk", policeuk_file([policeuk_row("out", lon="-1.3")]), name="2.csv", force_area=other)
    assert Record.objects.get(force=other, external_ref="out").sector_id == other_sector.pk
    assert theirs.force_id == other.pk


def test_it_names_the_only_force_root(ingest):
    areas = grid()
    assert force_root() == areas["force"].pk == force_root(force_id=areas["force"].pk) == upload_force(force_id=None)
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1")]))
    assert upload.force_id == areas["force"].pk and upload.status == "applied"


def test_it_hangs_uploaded_area_commands_under_the_uploads_force_where_there_are_several(ingest):
    areas = grid()
    other, _ = _other_force()
    features = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"CD": "NC", "NM": "New command"}, "geometry": box(-1.4, 54.9, -1.3, 55.0)},
    ]}
    upload = ingest("boundaries", json.dumps(features).encode(), name="c.geojson", force_area=other,
                    options={"level": 1, "code_property": "CD", "name_property": "NM"})
    assert (upload.status, upload.force_id) == ("applied", other.pk), upload.errors
    assert Area.objects.get(code="NC").parent_id == other.pk
    assert areas["command"].parent_id == areas["force"].pk
