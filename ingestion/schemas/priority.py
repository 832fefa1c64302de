"""Priority-individual status periods; one row per (nominal, start date)."""
from ingestion.schemas.base import Column, Schema, date_past, ref
from ingestion.schemas.lookups import RefLookup, column_values


class PrioritySchema(Schema):
    kind = "priority"
    target = "register"
    description = "priority-individual status periods"
    columns = [
        Column("nominal_ref", ref, required=True, example="N001"),
        Column("started_on", date_past, required=True, help="YYYY-MM-DD", example="2022-01-01"),
        Column("ended_on", date_past, help="empty while still a priority individual", example=""),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from nominals.models import Nominal

        self.nominals = RefLookup(Nominal)

    def prepare_batch(self, rows):
        self.nominals.load(column_values(rows, self.index.get("nominal_ref")))

    def finish(self, clean, errors):
        nominal_id = self.nominals.resolve(clean["nominal_ref"], "nominal_ref", errors, "nominal")
        if clean.get("ended_on") and clean["ended_on"] < clean["started_on"]:
            errors.append(("ended_on", "ends before it starts"))
        return {"key": (clean["nominal_ref"], clean["started_on"].isoformat()), "nominal_id": nominal_id,
                "started_on": clean["started_on"], "ended_on": clean.get("ended_on")}
