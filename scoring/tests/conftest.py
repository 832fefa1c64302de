"""A small hand-built force whose scores are worked out by hand in the tests.

Force F > command C1 > sectors S1, S2, S3. S1 has neighbourhoods N1a, N1b;
S2 has N2a; S3 has none (its records' smallest area is S3 itself).

Active edition weights: A = 100, B = 10, C = 1000. Window used by the tests:
Jan-Mar 2023 (previous: Oct-Dec 2022).

  S1  r1  A  drug supply       N1a 2023-01-10   100
      r2  B  drug supply       N1b 2023-02-05    10
      r3  C  OCG-linked twice  N1a 2023-03-01  1000  (members M1 and M4: counts once)
      r13 B  OCG member victim N1a 2023-01-20     0  (victims do not link)
      r9  C  drug supply       N1b 2022-11-10  1000  previous window
  S2  r4  A  cannabis farm     N2a 2023-01-20   100
      r5  drug-related death   N2a 2023-02-10  1512.0 (fixed)
      r8  firearms intel       N2a 2023-03-03   412.2 (fixed)
      r6  C  linked to M2, whose membership ended 2022-12-31: not counted
  S3  r7  B  firearms discharge S3 2023-01-15    10
      r11 A  firearms discharge S3 2023-02-15   100
      r12 A  drug supply        S3 2023-03-15   100
      r10 A  drug supply        S3 2022-12-10   100  previous window
      nominal N3 lives in S3, OCG member from 2023-01-01: 3 months x 42.75
"""
from datetime import date
from types import SimpleNamespace

import pytest

from nominals.models import GroupType, LinkRole
from records.models import RecordKind
from scoring.models import Measure
from sectors.models import Level
from tests import factories as f

JAN, FEB, MAR = date(2023, 1, 1), date(2023, 2, 1), date(2023, 3, 1)


@pytest.fixture
def edition(db):
    return f.CssEditionFactory(code="test-css", is_active=True)


@pytest.fixture
def world(db, edition):
    force = f.AreaFactory(level=Level.FORCE, code="F", name="Force")
    c1 = f.AreaFactory(level=Level.COMMAND, code="C1", name="Command one", parent=force)
    s1 = f.AreaFactory(level=Level.SECTOR, code="S1", name="Sector one", parent=c1)
    s2 = f.AreaFactory(level=Level.SECTOR, code="S2", name="Sector two", parent=c1)
    s3 = f.AreaFactory(level=Level.SECTOR, code="S3", name="Sector three", parent=c1)
    n1a = f.AreaFactory(level=Level.NEIGHBOURHOOD, code="N1a", name="Neighbourhood 1a", parent=s1)
    n1b = f.AreaFactory(level=Level.NEIGHBOURHOOD, code="N1b", name="Neighbourhood 1b", parent=s1)
    n2a = f.AreaFactory(level=Level.NEIGHBOURHOOD, code="N2a", name="Neighbourhood 2a", parent=s2)
    a = f.OffenceWeightFactory(edition=edition, offence_type__code="A", weight=100.0).offence_type
    b = f.OffenceWeightFactory(edition=edition, offence_type__code="B", weight=10.0).offence_type
    c = f.OffenceWeightFactory(edition=edition, offence_type__code="C", weight=1000.0).offence_type

    ocg = f.GroupFactory(group_type=GroupType.OCG)
    m1 = f.MembershipFactory(group=ocg, started_on=date(2022, 6, 1)).nominal
    m4 = f.MembershipFactory(group=ocg, started_on=date(2021, 1, 1)).nominal
    m2 = f.MembershipFactory(group=ocg, started_on=date(2021, 1, 1), ended_on=date(2022, 12, 31)).nominal
    n3 = f.NominalFactory(home=s3)
    f.MembershipFactory(nominal=n3, group=ocg, started_on=date(2023, 1, 1))

    crime = dict(kind=RecordKind.CRIME)
    r = {}
    r[1] = f.RecordFactory(place=n1a, offence_type=a, drug_supply=True, occurred_on=date(2023, 1, 10), **crime)
    r[2] = f.RecordFactory(place=n1b, offence_type=b, drug_supply=True, occurred_on=date(2023, 2, 5), **crime)
    r[3] = f.RecordFactory(place=n1a, offence_type=c, occurred_on=date(2023, 3, 1), **crime)
    f.RecordNominalFactory(record=r[3], nominal=m1, role=LinkRole.SUSPECT)
    f.RecordNominalFactory(record=r[3], nominal=m4, role=LinkRole.OFFENDER)
    r[13] = f.RecordFactory(place=n1a, offence_type=b, occurred_on=date(2023, 1, 20), **crime)
    f.RecordNominalFactory(record=r[13], nominal=m1, role=LinkRole.VICTIM)
    r[9] = f.RecordFactory(place=n1b, offence_type=c, drug_supply=True, occurred_on=date(2022, 11, 10), **crime)
    r[4] = f.RecordFactory(place=n2a, offence_type=a, cannabis_farm=True, occurred_on=date(2023, 1, 20), **crime)
    r[5] = f.RecordFactory(place=n2a, kind=RecordKind.DRUG_DEATH, source="coroner", occurred_on=date(2023, 2, 10))
    r[8] = f.RecordFactory(place=n2a, kind=RecordKind.FIREARMS_INTEL, source="force-intel",
                           occurred_on=date(2023, 3, 3))
    r[6] = f.RecordFactory(place=n2a, offence_type=c, occurred_on=date(2023, 2, 1), **crime)
    f.RecordNominalFactory(record=r[6], nominal=m2, role=LinkRole.SUSPECT)
    r[7] = f.RecordFactory(place=s3, offence_type=b, firearms_discharge=True, occurred_on=date(2023, 1, 15), **crime)
    r[11] = f.RecordFactory(place=s3, offence_type=a, firearms_discharge=True, occurred_on=date(2023, 2, 15),
                            **crime)
    r[12] = f.RecordFactory(place=s3, offence_type=a, drug_supply=True, occurred_on=date(2023, 3, 15), **crime)
    r[10] = f.RecordFactory(place=s3, offence_type=a, drug_supply=True, occurred_on=date(2022, 12, 10), **crime)
    return SimpleNamespace(force=force, c1=c1, s1=s1, s2=s2, s3=s3, n1a=n1a, n1b=n1b, n2a=n2a,
                           a=a, b=b, c=c, ocg=ocg, m1=m1, m2=m2, m4=m4, n3=n3, r=r, edition=edition)


@pytest.fixture
def measures(db):
    return {m.code: m for m in Measure.objects.all()}
