"""The nominals register: people of interest, with their home location."""
from ingestion.schemas.base import (
    LOCATION_COLUMNS,
    Column,
    Schema,
    boolean,
    date_past,
    location,
    ref,
    text,
)


class NominalsSchema(Schema):
    kind = "nominals"
    target = "register"
    description = "nominals (people of interest) and their home location"
    columns = [
        Column("ref", ref, required=True, help="the force's nominal reference, unique", example="N001"),
        Column("name", text(200), required=True, example="John Smith"),
        Column("born_on", date_past, help="date of birth, YYYY-MM-DD", example="1990-05-01"),
        *LOCATION_COLUMNS,
        Column("restricted", boolean, help="Y to restrict to users granted restricted nominals", example="N"),
    ]

    def finish(self, clean, errors):
        lat, lon = location(clean, errors)
        return {"key": clean["ref"], "ref": clean["ref"], "name": clean["name"], "born_on": clean.get("born_on"),
                "home_lat": lat, "home_lon": lon, "is_restricted": bool(clean.get("restricted"))}
