"""data.police.uk street-level crime files, exactly as published.

Anti-social behaviour rows carry no Crime ID: ASB is not a notifiable offence
and has no Crime Severity weight, so those rows are skipped (counted and shown
as skipped), never invented a reference for. Month becomes the first of the
month; the offence type is the approximate one for the crime type (or none if
the scoring reference data has not been loaded yet).
"""
import datetime as dt
import re
from json.encoder import encode_basestring_ascii as _json_string

from django.utils import timezone

from ingestion.schemas.base import (
    MAX_REF,
    MAX_TEXT,
    SKIP,
    Column,
    RowInvalid,
    Schema,
    check_lat_lon,
    number,
    text,
)
from records.models import OffenceType

ASB = "Anti-social behaviour"
CRIME_TYPES = [
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
]
_REF = re.compile(r"^[A-Za-z0-9]+$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FIELD_MAX = MAX_TEXT  # longer values take the slow path, which rejects them
_CRIME_TYPES = frozenset(CRIME_TYPES)
_PLAIN = {str}  # CSV cells; XLSX numbers, dates and formulas take the slow path


class PoliceUkSchema(Schema):
    kind = "policeuk"
    record_kind = "policeuk"
    description = "data.police.uk street-level crime file (download from data.police.uk, upload unchanged)"
    columns = [
        Column("Crime ID", text(MAX_REF), help="police.uk's id (64 hex characters); empty for anti-social behaviour"),
        Column("Month", text(7), required=True, help="YYYY-MM", example="2023-02"),
        Column("Reported by", text(), example="Northumbria Police"),
        Column("Falls within", text(), example="Northumbria Police"),
        Column("Longitude", number, help="WGS84; empty when police.uk has no location", example="-1.6132"),
        Column("Latitude", number, example="54.9738"),
        Column("Location", text(), example="On or near Grey Street"),
        Column("LSOA code", text(20), example="E01008397"),
        Column("LSOA name", text(), example="Newcastle upon Tyne 023A"),
        Column("Crime type", text(), required=True, help="one of the 14 police.uk crime types", example="Burglary"),
        Column("Last outcome category", text()),
        Column("Context", text()),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

        self.offence_ids = {}
        for crime_type, pk in OffenceType.objects.filter(is_approximation=True).exclude(
            policeuk_crime_type=""
        ).values_list("policeuk_crime_type", "id"):
            self.offence_ids.setdefault(crime_type, pk)
        self.months: dict[str, dt.date] = {}
        self.today = timezone.localdate()

    def header_problem(self, header):
        # Exactly as published: same names, same order (the fast path reads by position).
        problem = super().header_problem(header)
        if problem is None and [h.strip() for h in header] != [c.name for c in self.columns]:
            return (f"Wrong header for policeuk: expected exactly {', '.join(c.name for c in self.columns)} "
                    "in that order, as data.police.uk publishes it.")
        return problem

    def parse(self, values):
        # Hand-written for speed: this kind arrives in millions of rows.
        if len(values) != 12:
            raise RowInvalid([("", f"the row has {len(values)} values but the header has 12 columns")])
        if set(map(type, values)) != _PLAIN or max(map(len, values)) > _FIELD_MAX:
            return super().parse(values)  # slow path: XLSX cells (numbers, formulas) or over-long fields
        crime_id, month, _, _, lon, lat, location, lsoa_code, lsoa_name, crime_type, outcome, _ = values
        errors = []
        crime_type = crime_type.strip()
        if crime_type not in _CRIME_TYPES:
            errors.append(("Crime type", f"{crime_type[:40]!r} is not a police.uk crime type"))
        crime_id = crime_id.strip()
        if not crime_id:
            if crime_type == ASB:
                return SKIP
            errors.append(("Crime ID", "is required (only anti-social behaviour rows may leave it empty)"))
        elif len(crime_id) > MAX_REF or not _REF.match(crime_id):
            errors.append(("Crime ID", f"{crime_id[:40]!r} is not a police.uk Crime ID"))
        day = self.months.get(month)
        if day is None:
            day = self._month(month, errors)
        lat_v = lon_v = None
        if lat or lon:
            try:
                lat_v, lon_v = float(lat), float(lon)
                check_lat_lon(lat_v, lon_v)
            except ValueError as exc:
                message = str(exc) if "placeholder" in str(exc) or "outside" in str(exc) else (
                    f"{lat[:20]!r},{lon[:20]!r} is not a latitude,longitude pair")
                errors.append(("Latitude", message))
        if errors:
            raise RowInvalid(errors)
        return {
            "external_ref": crime_id, "occurred_on": day, "lat": lat_v, "lon": lon_v,
            "offence_type_id": self.offence_ids.get(crime_type),
            "drug_supply": False, "cannabis_farm": False, "firearms_discharge": False,
            # json.dumps of the same dict, written out: this runs once per row.
            "details": f'{{"crime_type": {_json_string(crime_type)}, "location": {_json_string(location)}, '
                       f'"lsoa_code": {_json_string(lsoa_code)}, "lsoa_name": {_json_string(lsoa_name)}, '
                       f'"last_outcome": {_json_string(outcome)}}}',
        }

    def finish(self, clean, errors):
        # Slow path (XLSX or long fields): re-enter the fast path with plain strings.
        values = ["" if clean.get(c.name) is None else str(clean[c.name]) for c in self.columns]
        return self.parse(values)

    def month_day(self, month: str) -> dt.date | None:
        """The first day of a Month cell, or None where the row-by-row check reports an error."""
        errors = []
        day = self.months.get(month) or self._month(month, errors)
        return None if errors else day

    def _month(self, month, errors):
        match = _MONTH.match(month.strip())
        if not match:
            errors.append(("Month", f"{month[:20]!r} is not a month: use YYYY-MM"))
            return None
        try:
            day = dt.date(int(match[1]), int(match[2]), 1)
        except ValueError:
            errors.append(("Month", f"{month!r} is not a month: use YYYY-MM"))
            return None
        if day > self.today:
            errors.append(("Month", f"{month} is in the future"))
            return None
        self.months[month] = day
        return day
