"""The one set of test factories: areas with square boundaries, weighted offences, records, nominals and
groups, and small builders of the files partners send."""
import csv
import io
from datetime import date

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import Organisation
from nominals.models import (
    Group,
    GroupType,
    LinkRole,
    Membership,
    Nominal,
    PriorityStatus,
    RecordNominal,
)
from records.models import OffenceType, Record, RecordKind
from scoring.models import CssEdition, OffenceWeight
from sectors.models import Area, Level
from tasking.models import Activity, ActivityKind


def box(min_lon, min_lat, max_lon, max_lat) -> dict:
    """A GeoJSON rectangle from its corners."""
    return {"type": "Polygon", "coordinates": [[[min_lon, min_lat], [max_lon, min_lat], [max_lon, max_lat],
                                                [min_lon, max_lat], [min_lon, min_lat]]]}


def square(lon: float, lat: float, size: float = 0.01, dlat: float | None = None) -> dict:
    """A GeoJSON rectangle from its south-west corner, ``size`` wide and ``dlat`` (else ``size``) high."""
    return box(lon, lat, lon + size, lat + (size if dlat is None else dlat))


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


def force_of(area: Area | None) -> Area:
    """The force root above ``area``; the first force root (made if there is none) for a record placed nowhere."""
    while area is not None and area.parent_id is not None:
        area = area.parent
    if area is not None and area.level == Level.FORCE:
        return area
    return Area.objects.filter(level=Level.FORCE).order_by("pk").first() or AreaFactory(
        level=Level.FORCE, code="FORCE", name="Force")


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
    force = factory.LazyAttribute(lambda o: force_of(o.place))
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
    force = factory.LazyAttribute(lambda o: o.record.force)
    nominal = factory.SubFactory(NominalFactory)
    role = LinkRole.SUSPECT


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity owned by the force's organisation (made when missing); give ``areas=[...]`` to target."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"ACT{n:04d}")
    kind = ActivityKind.OPERATION
    title = factory.Sequence(lambda n: f"Operation {n}")
    started_on = date(2023, 6, 1)
    ended_on = date(2023, 6, 30)
    organisation = factory.LazyFunction(
        lambda: Organisation.objects.get_or_create(code="force", defaults={"name": "The force", "kind": "force"})[0])

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


def grid(db=None) -> dict:
    """A force holding a command split into two sectors, each holding one neighbourhood, around Newcastle.

    force F and command C: lon -1.8..-1.4, lat 54.9..55.1; sector W: lon -1.8..-1.6; sector E: -1.6..-1.4;
    neighbourhoods cover the same squares as their sectors.
    """
    force = AreaFactory(level=Level.FORCE, code="F", name="Force", boundary=box(-1.8, 54.9, -1.4, 55.1))
    command = AreaFactory(level=Level.COMMAND, code="C", name="Command", parent=force,
                          boundary=box(-1.8, 54.9, -1.4, 55.1))
    west = AreaFactory(level=Level.SECTOR, code="W", name="West", parent=command,
                       boundary=box(-1.8, 54.9, -1.6, 55.1))
    east = AreaFactory(level=Level.SECTOR, code="E", name="East", parent=command,
                       boundary=box(-1.6, 54.9, -1.4, 55.1))
    west_n = AreaFactory(level=Level.NEIGHBOURHOOD, code="WN", name="West N", parent=west,
                         boundary=box(-1.8, 54.9, -1.6, 55.1))
    east_n = AreaFactory(level=Level.NEIGHBOURHOOD, code="EN", name="East N", parent=east,
                         boundary=box(-1.6, 54.9, -1.4, 55.1))
    return {"force": force, "command": command, "west": west, "east": east, "west_n": west_n, "east_n": east_n}


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


POLICEUK_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                   "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]


def policeuk_row(ref: str, lon="-1.7", lat="55.0", month="2023-01", crime_type="Burglary") -> list:
    return [ref, month, "Northumbria Police", "Northumbria Police", lon, lat, "On or near X", "E01000001",
            "Newcastle 001A", crime_type, "Under investigation", ""]


def policeuk_file(rows) -> bytes:
    return csv_bytes([POLICEUK_HEADER, *rows])


def uploaded(data: bytes, name="file.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")
