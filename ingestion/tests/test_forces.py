"""The apply looks a reference up within its force, and refuses to guess the force when there are several."""
from datetime import date

import pytest

from records.models import Record
from sectors.models import Level
from sectors.selectors import force_root
from tests import factories as f
from tests.factories import grid, policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db


def test_it_applies_a_reference_another_force_already_holds_as_a_record_of_its_own(ingest, monkeypatch):
    areas = grid()
    other = f.AreaFactory(level=Level.FORCE, code="OTHER", name="Other force")
    theirs = f.RecordFactory(force=other, kind="policeuk", source="policeuk", external_ref="a1",
                             occurred_on=date(2023, 1, 1))
    # Two force roots: the upload names the grid's force.
    monkeypatch.setattr("ingestion.services.records.force_root", lambda: areas["force"].pk)
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1", lon="-1.7", month="2023-01")]))
    assert (upload.status, upload.rows_applied) == ("applied", 1)
    ours = Record.objects.get(force=areas["force"], external_ref="a1")
    assert ours.pk != theirs.pk and ours.sector_id == areas["west"].pk
    theirs.refresh_from_db()
    assert (theirs.force_id, theirs.sector_id, theirs.upload_id) == (other.pk, None, None)
    again = ingest("policeuk", policeuk_file([policeuk_row("a1", lon="-1.5", month="2023-01")]), name="2.csv")
    assert (again.rows_applied, Record.objects.filter(external_ref="a1").count()) == (1, 2)
    assert Record.objects.get(force=areas["force"], external_ref="a1").sector_id == areas["east"].pk


def test_it_fails_clearly_when_several_forces_could_own_the_upload(ingest):
    grid()
    f.AreaFactory(level=Level.FORCE, code="OTHER", name="Other force")
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1")]))
    assert upload.status == "failed" and "Several force root areas" in upload.failure
    assert not Record.objects.exists()


def test_it_names_the_only_force_root(db):
    areas = grid()
    assert force_root() == areas["force"].pk == force_root(force_id=areas["force"].pk)
