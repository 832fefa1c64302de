"""Factories and small file builders for the ingestion tests."""
import csv
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from nominals.models import Nominal
from records.models import OffenceType
from sectors.models import Area, Level


def square(min_lon, min_lat, max_lon, max_lat) -> dict:
    return {"type": "Polygon", "coordinates": [[[min_lon, min_lat], [max_lon, min_lat], [max_lon, max_lat],
                                                [min_lon, max_lat], [min_lon, min_lat]]]}


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    level = Level.SECTOR
    code = factory.Sequence(lambda n: f"A{n:04d}")
    name = factory.Sequence(lambda n: f"Area {n}")


class OffenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenceType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n}Z")
    description = factory.Sequence(lambda n: f"Offence {n}")


class NominalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nominal

    ref = factory.Sequence(lambda n: f"N{n:03d}")
    name = factory.Sequence(lambda n: f"Person {n}")


def grid(db=None) -> dict:
    """A command split into two sectors, each holding one neighbourhood, around Newcastle.

    command C: lon -1.8..-1.4, lat 54.9..55.1; sector W: lon -1.8..-1.6; sector E: -1.6..-1.4;
    neighbourhoods cover the same squares as their sectors.
    """
    command = AreaFactory(level=Level.COMMAND, code="C", name="Command", boundary=square(-1.8, 54.9, -1.4, 55.1))
    west = AreaFactory(level=Level.SECTOR, code="W", name="West", parent=command,
                       boundary=square(-1.8, 54.9, -1.6, 55.1))
    east = AreaFactory(level=Level.SECTOR, code="E", name="East", parent=command,
                       boundary=square(-1.6, 54.9, -1.4, 55.1))
    west_n = AreaFactory(level=Level.NEIGHBOURHOOD, code="WN", name="West N", parent=west,
                         boundary=square(-1.8, 54.9, -1.6, 55.1))
    east_n = AreaFactory(level=Level.NEIGHBOURHOOD, code="EN", name="East N", parent=east,
                         boundary=square(-1.6, 54.9, -1.4, 55.1))
    return {"command": command, "west": west, "east": east, "west_n": west_n, "east_n": east_n}


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
