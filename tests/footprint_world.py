"""A small group and its records for the footprint tests: three sectors, one urban crime group.

An urban crime group's records are counted only by the flag measures (no measure counts crimes linked
to urban groups), and each record here carries one flag, so the measures do not overlap: the
measures' harm adds up to the SOC harm, month by month. Window: January to March 2023.

  North: drug supply 92A (500) in January, cannabis farm 92A (500) in February; Alice offender.
  South: drug supply 92A (500) in March and drug supply 8N (200) in February; an unflagged assault
         8N in March (linked, counted by nothing: a point weighing 0); Bob suspect or offender.
  South, no location: drug supply 92A (500) in March, Bob offender (counted, never a point).
  North, December 2022: drug supply, Alice (outside the window).
  North, January: drug supply with Alice as victim (not the group's).
  West: nothing recorded; home of Hidden, a restricted member.

So the window's SOC harm is 2,200 from 5 records (South 1,200, North 1,000), 6 linked records in
all, 5 of them with a point.
"""
from datetime import date
from types import SimpleNamespace

from nominals.models import GroupType, LinkRole, RecordNominal
from records.models import RecordKind
from scoring.services import scores_recompute
from sectors.models import Level
from tests import factories as f

START, END = date(2023, 1, 1), date(2023, 3, 1)
HARM = {"North": 1000.0, "South": 1200.0}
BY_MONTH = {"drug-supply": [500.0, 200.0, 1000.0], "cannabis-farms": [0.0, 500.0, 0.0]}


def build_footprint(*, scores: bool = True) -> SimpleNamespace:
    edition = f.CssEditionFactory(is_active=True)
    force = f.AreaFactory(level=Level.FORCE, code="F", name="Force", parent=None)
    command = f.AreaFactory(level=Level.COMMAND, code="C", name="Command", parent=force)
    north, south, west = (f.AreaFactory(level=Level.SECTOR, code=code, name=name, parent=command)
                          for code, name in (("SN", "North"), ("SS", "South"), ("SW", "West")))
    supply, assault = f.OffenceTypeFactory(code="92A"), f.OffenceTypeFactory(code="8N")
    f.OffenceWeightFactory(edition=edition, offence_type=supply, weight=500.0)
    f.OffenceWeightFactory(edition=edition, offence_type=assault, weight=200.0)
    group = f.GroupFactory(ref="U1", name="Urban one", group_type=GroupType.UCG)
    alice, bob = f.NominalFactory(ref="NA", home=north), f.NominalFactory(ref="NB", home=south)
    hidden = f.NominalFactory(ref="HIDDEN-1", name="Hidden Person", home=west, is_restricted=True)
    for person in (alice, bob, hidden):
        f.MembershipFactory(nominal=person, group=group, started_on=date(2022, 1, 1))

    def crime(place, day, offence, person, role=LinkRole.OFFENDER, **flags):
        record = f.RecordFactory(place=place, occurred_on=day, offence_type=offence, **flags)
        RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=person, role=role)
        return record

    crime(north, date(2023, 1, 10), supply, alice, drug_supply=True)
    crime(north, date(2023, 2, 10), supply, alice, cannabis_farm=True)
    crime(south, date(2023, 3, 10), supply, bob, LinkRole.SUSPECT, drug_supply=True)
    crime(south, date(2023, 2, 11), assault, bob, drug_supply=True)
    crime(south, date(2023, 3, 12), assault, bob)
    nowhere = crime(south, date(2023, 3, 13), supply, bob, drug_supply=True)
    type(nowhere).objects.filter(pk=nowhere.pk).update(lat=None, lon=None)
    crime(north, date(2022, 12, 10), supply, alice, drug_supply=True)
    crime(north, date(2023, 1, 12), supply, alice, LinkRole.VICTIM, drug_supply=True)
    f.RecordFactory(place=north, occurred_on=date(2023, 1, 14), offence_type=supply, drug_supply=True,
                    kind=RecordKind.CRIME)  # nobody's
    if scores:
        scores_recompute()
    return SimpleNamespace(force=force, north=north, south=south, west=west, group=group, alice=alice, bob=bob,
                           hidden=hidden, edition=edition, supply=supply, assault=assault)
