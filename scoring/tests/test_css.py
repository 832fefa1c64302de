import statistics
from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from records.models import OffenceType, RecordKind
from scoring.models import CssEdition, HarmScore, Measure, OffenceWeight
from scoring.services import CssFileError, css_edition_load, policeuk_offence_type
from scoring.services.css import DEFAULT_PATH
from tests import factories as f

POLICEUK_TYPES = {
    "Violence and sexual offences", "Burglary", "Possession of weapons", "Criminal damage and arson", "Other crime",
    "Robbery", "Other theft", "Drugs", "Public order", "Vehicle crime", "Theft from the person", "Bicycle theft",
    "Shoplifting",
}


@pytest.fixture
def loaded(db):
    return css_edition_load(path=DEFAULT_PATH, code="ons-css-2020", label="ONS CSS late 2020 (unverified)",
                            source="test", activate=True)


def test_it_loads_every_offence_of_the_file(loaded):
    exact = OffenceWeight.objects.filter(edition=loaded, offence_type__is_approximation=False)
    assert exact.count() == 134
    assert exact.get(offence_type__code="1").weight == pytest.approx(7973.393423328133)
    assert exact.get(offence_type__code="92A").weight == pytest.approx(512.9573593857484)
    assert OffenceType.objects.get(code="8N").policeuk_crime_type == "Violence and sexual offences"
    assert loaded.is_active and CssEdition.objects.get(is_active=True) == loaded


def test_it_is_idempotent(loaded):
    counts = (OffenceType.objects.count(), OffenceWeight.objects.count())
    css_edition_load(path=DEFAULT_PATH, code="ons-css-2020", label="again", source="test", activate=False)
    assert (OffenceType.objects.count(), OffenceWeight.objects.count()) == counts
    assert CssEdition.objects.get().label == "again"


def test_it_weighs_each_policeuk_type_by_the_median_of_its_offences(loaded):
    approximations = OffenceWeight.objects.filter(edition=loaded, offence_type__is_approximation=True)
    assert {w.offence_type.policeuk_crime_type for w in approximations} == POLICEUK_TYPES
    for crime_type in POLICEUK_TYPES:
        weights = list(OffenceWeight.objects.filter(
            edition=loaded, offence_type__is_approximation=False, offence_type__policeuk_crime_type=crime_type,
        ).values_list("weight", flat=True))
        weight = approximations.get(offence_type__policeuk_crime_type=crime_type)
        assert weight.weight == pytest.approx(statistics.median(weights)), crime_type
        assert "Median" in weight.method and "approximation" in weight.method
    assert approximations.get(offence_type__code="policeuk:robbery").weight == pytest.approx(799.6288702314769)
    assert approximations.get(offence_type__code="policeuk:drugs").weight == pytest.approx(8.572131172565797)


def test_it_gives_anti_social_behaviour_a_type_but_no_weight(loaded):
    asb = policeuk_offence_type("Anti-social behaviour")
    assert asb.code == "policeuk:anti-social-behaviour" and asb.is_approximation
    assert not asb.weights.exists()


def test_it_finds_the_approximation_ingestion_looks_up(loaded):
    burglary = OffenceType.objects.get(policeuk_crime_type="Burglary", is_approximation=True)
    assert burglary.code == "policeuk:burglary" and policeuk_offence_type("Burglary") == burglary
    assert policeuk_offence_type("Not a type") is None


def test_it_keeps_one_approximation_per_policeuk_type(loaded):
    with pytest.raises(IntegrityError):
        OffenceType.objects.create(code="policeuk:burglary-2", description="x", policeuk_crime_type="Burglary",
                                   is_approximation=True)


def test_it_rejects_a_file_without_the_columns(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,weight\n1,2\n")
    with pytest.raises(CssFileError):
        css_edition_load(path=bad, code="bad", label="bad", source="bad", activate=False)
    assert not CssEdition.objects.exists()


def test_it_switches_edition_and_recomputes_in_one_command(loaded, tmp_path):
    area = f.AreaFactory(level=2)
    offence = OffenceType.objects.get(code="92A")
    f.RecordFactory(place=area, offence_type=offence, drug_supply=True, occurred_on=date(2023, 1, 5),
                    kind=RecordKind.CRIME)
    call_command("recompute_scores")
    assert HarmScore.objects.get(area=area, measure__code="drug-supply").harm == pytest.approx(512.9573593857484)

    doubled = tmp_path / "doubled.csv"
    lines = DEFAULT_PATH.read_text().splitlines()
    header = lines[0].split(",")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow(row | {"css_weight": str(float(row["css_weight"]) * 2)})
    doubled.write_text(out.getvalue())
    call_command("load_css_weights", "--path", str(doubled), "--code", "doubled")
    assert CssEdition.objects.get(is_active=True).code == "ons-css-2020"

    call_command("set_css_edition", "doubled")
    score = HarmScore.objects.get(area=area, measure__code="drug-supply")
    assert score.edition.code == "doubled" and score.harm == pytest.approx(2 * 512.9573593857484)


def test_it_seeds_the_measures(db):
    measures = {m.code: m for m in Measure.objects.all()}
    assert len([m for m in measures.values() if m.is_active]) == 9
    assert not measures["all-crime-policeuk"].is_active
    for m in measures.values():
        m.full_clean()
        if m.weighting == Measure.Weighting.FIXED:
            assert m.fixed_weight > 0 and len(m.weight_rationale) > 50, m.code
    assert measures["ocg-priority-nominals"].role_list == ["ocg", "priority"]
    assert measures["drug-related-deaths"].record_kind == RecordKind.DRUG_DEATH
