"""Priority-individual status periods; one row per (nominal, start date)."""
from ingestion.schemas.base import Column, Schema, date_past, ref
from ingestion.schemas.lookups import RefLookups, check_period


class PrioritySchema(RefLookups, Schema):
    kind = "priority"
    target = "register"
    description = "priority-individual status periods"
    columns = [
        Column("nominal_ref", ref, required=True, example="N001"),
        Column("started_on", date_past, required=True, help="YYYY-MM-DD", example="2022-01-01"),
        Column("ended_on", date_past, help="empty while still a priority individual", example=""),
    ]

    ref_columns = {"nominal_ref": ("nominals.Nominal", "nominal")}

    def finish(self, clean, errors):
        nominal_id = self.resolve(clean, "nominal_ref", errors)
        check_period(clean, errors)
        return {"key": (clean["nominal_ref"], clean["started_on"].isoformat()), "nominal_id": nominal_id,
                "started_on": clean["started_on"], "ended_on": clean.get("ended_on")}
