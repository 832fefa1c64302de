"""Factories for scoring tests: areas with square boundaries, weighted offences, records, nominals."""
from datetime import date

import factory

from nominals.models import Group, GroupType, LinkRole, Membership, Nominal, PriorityStatus, RecordNominal
from records.models import OffenceType, Record, RecordKind
from scoring.models import CssEdition, OffenceWeight
from sectors.models import Area, Level


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat],
    ]]}


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    level = Level.SECTOR
    code = factory.Sequence(lambda n: f"A{n:04d}")
    name = factory.Sequence(lambda n: f"Area {n:04d}")
    parent = None
    boundary = factory.LazyAttributeSequence(lambda o, n: square(-1.7 + (n % 50) * 0.01, 55.0 + (n // 50) * 0.01))
    min_lon = factory.LazyAttribute(lambda o: o.boundary["coordinates"][0][0][0])
    min_lat = factory.LazyAttribute(lambda o: o.boundary["coordinates"][0][0][1])
    max_lon = factory.LazyAttribute(lambda o: o.boundary["coordinates"][0][2][0])
    max_lat = factory.LazyAttribute(lambda o: o.boundary["coordinates"][0][2][1])
    label_lon = factory.LazyAttribute(lambda o: (o.min_lon + o.max_lon) / 2)
    label_lat = factory.LazyAttribute(lambda o: (o.min_lat + o.max_lat) / 2)
    source = "test squares"


class CssEditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CssEdition
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-edition-{n}")
    label = factory.LazyAttribute(lambda o: f"Test edition {o.code}")
    source = "test"
    is_active = False


class OffenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenceType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n}")
    description = factory.LazyAttribute(lambda o: f"Offence {o.code}")


class OffenceWeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenceWeight

    edition = factory.SubFactory(CssEditionFactory)
    offence_type = factory.SubFactory(OffenceTypeFactory)
    weight = 1.0


def located(area: Area) -> dict:
    """The area columns of a record inside ``area`` (what the locator stores at ingest)."""
    sector = area if area.level == Level.SECTOR else (area.parent if area.level == Level.NEIGHBOURHOOD else None)
    command = sector.parent if sector is not None else (area if area.level == Level.COMMAND else None)
    return {"area": area, "sector": sector, "command": command,
            "lon": area.label_lon, "lat": area.label_lat}


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record
        exclude = ("place",)

    place = None
    kind = RecordKind.CRIME
    source = "force"
    external_ref = factory.Sequence(lambda n: f"R{n:06d}")
    occurred_on = date(2023, 1, 15)
    month = factory.LazyAttribute(lambda o: o.occurred_on.replace(day=1))
    area = factory.LazyAttribute(lambda o: located(o.place)["area"] if o.place else None)
    sector = factory.LazyAttribute(lambda o: located(o.place)["sector"] if o.place else None)
    command = factory.LazyAttribute(lambda o: located(o.place)["command"] if o.place else None)
    lat = factory.LazyAttribute(lambda o: o.place.label_lat if o.place else None)
    lon = factory.LazyAttribute(lambda o: o.place.label_lon if o.place else None)
    is_synthetic = True


class NominalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nominal
        exclude = ("home",)

    home = None
    ref = factory.Sequence(lambda n: f"N{n:05d}")
    name = factory.Sequence(lambda n: f"Person {n}")
    home_area = factory.LazyAttribute(lambda o: located(o.home)["area"] if o.home else None)
    home_sector = factory.LazyAttribute(lambda o: located(o.home)["sector"] if o.home else None)
    home_command = factory.LazyAttribute(lambda o: located(o.home)["command"] if o.home else None)
    is_synthetic = True


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    ref = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"Group {n}")
    group_type = GroupType.OCG
    is_synthetic = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    nominal = factory.SubFactory(NominalFactory)
    group = factory.SubFactory(GroupFactory)
    started_on = date(2020, 1, 1)
    ended_on = None


class PriorityStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityStatus

    nominal = factory.SubFactory(NominalFactory)
    started_on = date(2020, 1, 1)
    ended_on = None


class RecordNominalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecordNominal

    record = factory.SubFactory(RecordFactory)
    nominal = factory.SubFactory(NominalFactory)
    role = LinkRole.SUSPECT
