import datetime as dt
import json

import pytest

from nominals.models import (
    DiversionReferral,
    Group,
    Membership,
    Nominal,
    PriorityStatus,
    RecordNominal,
)
from records.models import Record
from sectors.models import Area
from tests.factories import NominalFactory, OffenceTypeFactory, box, csv_bytes, grid

pytestmark = pytest.mark.django_db
CRIME_HEADER = ["reference", "offence_code", "date", "latitude", "longitude", "easting", "northing", "drug_supply",
                "cannabis_farm", "firearms_discharge", "nominals"]


def test_it_applies_force_crimes_with_flags_bng_and_nominal_links(ingest):
    areas = grid()
    offence = OffenceTypeFactory(code="92A")
    n1, n2 = NominalFactory(ref="N001"), NominalFactory(ref="N002")
    upload = ingest("crimes", csv_bytes([
        CRIME_HEADER,
        ["CR1", "92A", "2023-01-14", "55.0", "-1.7", "", "", "Y", "N", "N", "N001:suspect;N002:offender"],
        ["CR2", "92A", "14/01/2023", "", "", "432000", "565000", "n", "yes", "", ""],
    ]))
    assert upload.status == "applied", upload.errors
    cr1, cr2 = Record.objects.get(external_ref="CR1"), Record.objects.get(external_ref="CR2")
    assert (cr1.kind, cr1.source, cr1.offence_type, cr1.drug_supply, cr1.cannabis_farm) == (
        "crime", "force", offence, True, False)
    assert cr1.sector == areas["west"]
    assert cr2.occurred_on == dt.date(2023, 1, 14) and cr2.cannabis_farm
    assert 54.9 < cr2.lat < 55.1 and -1.7 < cr2.lon < -1.5 and cr2.sector == areas["east"]
    assert set(RecordNominal.objects.values_list("record__external_ref", "nominal__ref", "role")) == {
        ("CR1", "N001", "suspect"), ("CR1", "N002", "offender")}
    # Links become exactly the file's on the next upload.
    ingest("crimes", csv_bytes([CRIME_HEADER, ["CR1", "92A", "2023-01-14", "55.0", "-1.7", "", "", "Y", "N", "N",
                                              "N002:offender"]]), name="second.csv")
    assert set(RecordNominal.objects.values_list("nominal", flat=True)) == {n2.pk}
    assert n1.pk


def test_it_rejects_unknown_offence_codes_and_nominals(ingest):
    OffenceTypeFactory(code="92A")
    upload = ingest("crimes", csv_bytes([
        CRIME_HEADER, ["CR1", "XX9", "2023-01-14", "", "", "", "", "", "", "", "N404:suspect"],
        ["CR2", "92A", "2023-01-14", "", "", "", "", "maybe", "", "", "N1:boss"],
    ]))
    assert upload.status == "rejected"
    messages = " | ".join(e["message"] for e in upload.errors)
    assert "'XX9' is not a known Home Office offence code" in messages
    assert "nominal 'N404' does not exist" in messages
    assert "is not yes/no" in messages and "ROLE one of" in messages
    assert not Record.objects.exists()


def test_it_applies_the_nominal_registers(ingest):
    areas = grid()
    up = ingest("nominals", csv_bytes([
        ["ref", "name", "born_on", "latitude", "longitude", "easting", "northing", "restricted"],
        ["N001", "A Person", "1990-05-01", "55.0", "-1.5", "", "", "Y"],
        ["N002", "B Person", "", "", "", "", "", ""],
    ]))
    assert up.status == "applied", up.errors
    n1 = Nominal.objects.get(ref="N001")
    assert (n1.home_sector, n1.home_area, n1.home_command, n1.is_restricted) == (
        areas["east"], areas["east_n"], areas["command"], True)
    assert ingest("groups", csv_bytes([["ref", "name", "group_type"], ["G1", "Group one", "OCG"]])).status == "applied"
    memberships = ingest("memberships", csv_bytes([
        ["nominal_ref", "group_ref", "started_on", "ended_on"], ["N001", "G1", "2021-06-01", ""],
        ["N002", "G1", "2021-06-01", "2022-01-01"]]))
    assert memberships.rows_applied == 2
    assert Membership.objects.get(nominal__ref="N002").ended_on == dt.date(2022, 1, 1)
    assert ingest("priority", csv_bytes([["nominal_ref", "started_on", "ended_on"],
                                         ["N001", "2022-01-01", ""]])).status == "applied"
    assert PriorityStatus.objects.get().nominal == n1
    assert ingest("referrals", csv_bytes([["ref", "nominal_ref", "scheme", "referred_on", "outcome"],
                                          ["DR1", "N002", "Diversion", "2022-09-01", "completed"]])).rows_applied == 1
    assert DiversionReferral.objects.get().nominal.ref == "N002"
    assert Group.objects.get().group_type == "ocg"
    # Same nominals again (in a new file): nothing changes.
    again = ingest("nominals", csv_bytes([
        ["ref", "name", "born_on", "latitude", "longitude", "easting", "northing", "restricted"],
        ["N001", "A Person", "1990-05-01", "55.0", "-1.5", "", "", "Y"],
        ["N002", "B Person", "", "", "", "", "", "N"],
    ]))
    assert (again.rows_applied, again.rows_unchanged) == (0, 2)


def test_it_rejects_register_rows_pointing_nowhere(ingest):
    upload = ingest("memberships", csv_bytes([["nominal_ref", "group_ref", "started_on", "ended_on"],
                                              ["N9", "G9", "2021-06-01", "2020-01-01"]]))
    assert upload.status == "rejected"
    messages = " | ".join(e["message"] for e in upload.errors)
    assert "nominal 'N9' does not exist" in messages and "group 'G9' does not exist" in messages
    assert "ends before it starts" in messages


def test_it_rejects_a_register_key_repeated_in_one_file(ingest):
    NominalFactory(ref="N1")
    upload = ingest("priority", csv_bytes([["nominal_ref", "started_on", "ended_on"], ["N1", "2021-06-01", ""],
                                           ["N1", "2021-06-01", "2022-01-01"]]))
    assert upload.status == "rejected"
    assert upload.errors == [{"row": 3, "column": "nominal_ref", "message": "N1 / 2021-06-01 already appears on row 2"}]
    assert not PriorityStatus.objects.exists()


@pytest.mark.parametrize("kind, record_kind, extra_header, extra", [
    ("drug_deaths", "drug_death", ["substances"], ["Heroin; cocaine"]),
    ("crimestoppers", "crimestoppers", ["category"], ["drugs supply"]),
    ("trading_standards", "trading_standards", ["category"], ["illicit tobacco"]),
    ("firearms_intel", "firearms_intel", ["grading"], ["B2"]),
])
def test_it_applies_partner_records(ingest, force, kind, record_kind, extra_header, extra):
    grid()
    upload = ingest(kind, csv_bytes([["reference", "date", "latitude", "longitude", *extra_header],
                                     ["R1", "2023-01-05", "55.0", "-1.7", *extra]]))
    assert upload.status == "applied", upload.errors
    record = Record.objects.get()
    assert (record.kind, record.source, record.external_ref) == (record_kind, f"force:{record_kind}", "R1")
    if kind == "drug_deaths":
        assert record.details == {"substances": ["cocaine", "heroin"]}


def test_it_uses_the_organisation_code_as_the_source_of_partner_records(ingest, coroner, partner_a):
    upload = ingest("drug_deaths", csv_bytes([["reference", "date"], ["R1", "2023-01-05"]]), organisation=coroner,
                    user=partner_a)
    assert upload.status == "applied", upload.errors
    assert Record.objects.get().source == "coroner"


def test_it_imports_boundaries(ingest):
    features = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"CD": "S1", "NM": "Sector one"}, "geometry": box(-1.8, 54.9, -1.6, 55.1)},
    ]}
    upload = ingest("boundaries", json.dumps(features).encode(), name="s.geojson",
                    options={"level": 2, "code_property": "CD", "name_property": "NM"})
    assert upload.status == "applied", upload.errors
    assert Area.objects.get(code="S1").level == 2
    bad = ingest("boundaries", b'{"type": "FeatureCollection", "features": [{"properties": {}}]}',
                 options={"level": 2, "code_property": "CD", "name_property": "NM"})
    assert bad.status == "rejected" and "missing 'CD'" in bad.errors[0]["message"]
