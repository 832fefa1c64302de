"""Column parsers and the schema base class shared by every dataset kind.

A parser takes a raw cell (str from CSV; str, number, date or Formula from XLSX)
and returns the Python value or raises ``ValueError`` with a message the
uploader can act on. A schema turns one row into a clean dict, or a list of
``(column, message)`` errors.
"""
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ingestion.readers import Formula
from sectors.locator import to_wgs84

# Great Britain, the same box as the record_in_great_britain database constraint.
GB_LAT = (49.0, 61.5)
GB_LON = (-9.0, 2.5)
# British National Grid extent, metres.
BNG_E = (0.0, 700_000.0)
BNG_N = (0.0, 1_300_000.0)
MAX_TEXT = 500
MAX_REF = 100
MAX_ROW_CHARS = 5_000


class RowInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


SKIP = object()  # a row deliberately not loaded (counted as skipped, not an error)


@dataclass
class Column:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    help: str = ""
    example: str = ""


def text(max_length: int = MAX_TEXT):
    def parse(value):
        value = str(value).strip()
        if len(value) > max_length:
            raise ValueError(f"field too long: {len(value):,} characters, at most {max_length:,}")
        return value
    return parse


_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./:-]*$")


def ref(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an XLSX reference typed as a number
    value = str(value).strip()
    if len(value) > MAX_REF:
        raise ValueError(f"field too long: {len(value):,} characters, at most {MAX_REF}")
    if not _REF.match(value):
        raise ValueError(f"{value[:40]!r} is not a valid reference (letters, digits and _ . / : - only)")
    return value


def date_past(value) -> dt.date:
    """A date not in the future: ISO 2023-02-14, UK 14/02/2023, or an XLSX date cell."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        raw = str(value).strip()
        day = None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                day = dt.datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise ValueError(f"{raw[:40]!r} is not a date: use YYYY-MM-DD (e.g. 2023-02-14) or DD/MM/YYYY")
    # The local date (Europe/London): a record dated today is not in the future between 00:00 and 01:00 BST.
    if day > timezone.localdate():
        raise ValueError(f"{day.isoformat()} is in the future")
    if day.year < 1900:
        raise ValueError(f"{day.isoformat()} is before 1900")
    return day


def number(value) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        try:
            result = float(str(value).strip())
        except ValueError:
            raise ValueError(f"{str(value)[:40]!r} is not a number") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return result


_TRUE = {"y", "yes", "true", "1", "t"}
_FALSE = {"n", "no", "false", "0", "f", ""}


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    raw = str(value).strip().lower()
    if isinstance(value, (int, float)):
        raw = str(int(value))
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{str(value)[:20]!r} is not yes/no (use Y or N)")


def choice(*allowed: str):
    def parse(value):
        raw = str(value).strip().lower()
        if raw not in allowed:
            raise ValueError(f"{raw[:30]!r} is not one of: {', '.join(allowed)}")
        return raw
    return parse


def check_lat_lon(lat: float, lon: float) -> None:
    if lat == 0 and lon == 0:
        raise ValueError("0,0 is a placeholder, not a location: leave both empty if unknown")
    if not (GB_LAT[0] <= lat <= GB_LAT[1] and GB_LON[0] <= lon <= GB_LON[1]):
        raise ValueError(f"{lat},{lon} is outside Great Britain (latitude 49 to 61.5, longitude -9 to 2.5)")


LOCATION_COLUMNS = [
    Column("latitude", number, help="WGS84 latitude, e.g. 54.97; or give easting/northing", example="54.9738"),
    Column("longitude", number, help="WGS84 longitude, e.g. -1.61", example="-1.6132"),
    Column("easting", number, help="British National Grid easting (metres), instead of lat/long", example=""),
    Column("northing", number, help="British National Grid northing (metres)", example=""),
]


def location(clean: dict, errors: list) -> tuple[float | None, float | None]:
    """(lat, lon) from lat/long or BNG easting/northing; (None, None) when none is given."""
    lat, lon = clean.get("latitude"), clean.get("longitude")
    east, north = clean.get("easting"), clean.get("northing")
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            errors.append(("latitude" if lat is None else "longitude", "give both latitude and longitude, or neither"))
            return None, None
        try:
            check_lat_lon(lat, lon)
        except ValueError as exc:
            errors.append(("latitude", str(exc)))
            return None, None
        return lat, lon
    if east is not None or north is not None:
        if east is None or north is None:
            errors.append(("easting" if east is None else "northing", "give both easting and northing, or neither"))
            return None, None
        if east == 0 and north == 0:
            errors.append(("easting", "0,0 is a placeholder, not a location: leave both empty if unknown"))
            return None, None
        if not (BNG_E[0] <= east <= BNG_E[1] and BNG_N[0] <= north <= BNG_N[1]):
            errors.append(("easting", f"{east},{north} is outside the British National Grid"))
            return None, None

        lons, lats = to_wgs84([east], [north])
        lat, lon = round(float(lats[0]), 6), round(float(lons[0]), 6)
        try:
            check_lat_lon(lat, lon)
        except ValueError as exc:
            errors.append(("easting", str(exc)))
            return None, None
        return lat, lon
    return None, None


class Schema:
    """One dataset kind's columns and rules; one instance reads one file.

    Subclasses set the class attributes and add ``finish`` (cross-column rules,
    lookups) which returns the row in the shape its target expects.
    """

    kind: str = ""
    columns: list[Column] = []
    target: str = "records"  # records | register | boundaries
    description: str = ""

    def __init__(self, *, organisation=None):
        self.organisation = organisation
        self.index: dict[str, int] = {}
        self.width = 0

    def prepare_batch(self, rows: list[list]) -> None:
        """Called with each batch of raw rows before they are parsed (batch look-ups)."""

    def header_problem(self, header: list[str]) -> str | None:
        """A message when the header is not this kind's, else None (and remember the column order)."""
        # Linear in the width of the header (sets and one count), whatever the file holds.
        names = [h.strip().lower() for h in header]
        seen = Counter(names)
        expected = {c.name.lower() for c in self.columns}
        missing = [c.name for c in self.columns if c.required and c.name.lower() not in seen]
        unknown = [h for h in header if h.strip() and h.strip().lower() not in expected]
        dupes = sorted(h for h, n in seen.items() if h and n > 1)
        if missing or unknown or dupes:
            parts = []
            if missing:
                parts.append(f"missing column(s): {', '.join(missing)}")
            if unknown:
                parts.append(f"unexpected column(s): {', '.join(h[:40] for h in unknown[:10])}")
            if dupes:
                parts.append(f"repeated column(s): {', '.join(dupes)}")
            return (f"Wrong header for {self.kind}: {'; '.join(parts)}. "
                    f"Expected: {', '.join(c.name for c in self.columns)} (download the template).")
        first = {}
        for position, name in enumerate(names):
            first.setdefault(name, position)
        self.index = {c.name: first[c.name.lower()] for c in self.columns if c.name.lower() in first}
        self.width = len(header)
        return None

    def parse(self, values: list) -> dict:
        """The clean row (a dict), or SKIP; raises RowInvalid with every problem found."""
        errors: list[tuple[str, str]] = []
        if len(values) > self.width:
            raise RowInvalid([("", f"the row has {len(values)} values but the header has {self.width} columns")])
        if sum(len(v) for v in values if isinstance(v, str)) > MAX_ROW_CHARS:
            raise RowInvalid([("", f"row too long: over {MAX_ROW_CHARS:,} characters (field too long)")])
        clean = {}
        for column in self.columns:
            position = self.index.get(column.name)
            raw = values[position] if position is not None and position < len(values) else ""
            if isinstance(raw, Formula):
                errors.append((column.name, "formulas are not accepted: paste the values instead"))
                continue
            if raw == "" or (isinstance(raw, str) and not raw.strip()):
                if column.required:
                    errors.append((column.name, "is required"))
                clean[column.name] = None
                continue
            try:
                clean[column.name] = column.parse(raw)
            except ValueError as exc:
                errors.append((column.name, str(exc)))
        if not errors:
            result = self.finish(clean, errors)
        if errors:
            raise RowInvalid(errors)
        return result

    def finish(self, clean: dict, errors: list) -> dict:
        return clean

    def template_rows(self) -> list[list[str]]:
        return [[c.name for c in self.columns], [c.example for c in self.columns]]
