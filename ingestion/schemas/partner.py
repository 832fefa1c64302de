"""What every partner record kind shares: a reference, a date and a location."""
import json

from ingestion.schemas.base import (
    LOCATION_COLUMNS,
    Column,
    Schema,
    date_past,
    location,
    ref,
)


def partner_columns(*extra: Column) -> list[Column]:
    return [
        Column("reference", ref, required=True, help="your own reference for the record, unique", example="R-0001"),
        Column("date", date_past, required=True, help="YYYY-MM-DD or DD/MM/YYYY, not in the future",
               example="2023-02-14"),
        *LOCATION_COLUMNS,
        *extra,
    ]


class PartnerSchema(Schema):
    """Rows become Records of ``record_kind``; the extra columns go into Record.details."""

    def finish(self, clean, errors):
        lat, lon = location(clean, errors)
        base = {"reference", "date", "latitude", "longitude", "easting", "northing"}
        details = {k: v for k, v in clean.items() if k not in base and v not in (None, "", [])}
        return {
            "external_ref": clean["reference"], "occurred_on": clean["date"], "lat": lat, "lon": lon,
            "offence_type_id": None, "drug_supply": False, "cannabis_farm": False, "firearms_discharge": False,
            "details": json.dumps(details, sort_keys=True),
        }
