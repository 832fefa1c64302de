"""Group memberships over time; one row per (nominal, group, start date)."""
from ingestion.schemas.base import Column, Schema, date_past, ref
from ingestion.schemas.lookups import RefLookup, column_values


class MembershipsSchema(Schema):
    kind = "memberships"
    target = "register"
    description = "group memberships with start and end dates"
    columns = [
        Column("nominal_ref", ref, required=True, example="N001"),
        Column("group_ref", ref, required=True, example="G001"),
        Column("started_on", date_past, required=True, help="YYYY-MM-DD", example="2021-06-01"),
        Column("ended_on", date_past, help="empty while still a member", example=""),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from nominals.models import Group, Nominal

        self.nominals, self.groups = RefLookup(Nominal), RefLookup(Group)

    def prepare_batch(self, rows):
        self.nominals.load(column_values(rows, self.index.get("nominal_ref")))
        self.groups.load(column_values(rows, self.index.get("group_ref")))

    def finish(self, clean, errors):
        nominal_id = self.nominals.resolve(clean["nominal_ref"], "nominal_ref", errors, "nominal")
        group_id = self.groups.resolve(clean["group_ref"], "group_ref", errors, "group")
        if clean.get("ended_on") and clean["ended_on"] < clean["started_on"]:
            errors.append(("ended_on", "ends before it starts"))
        return {"key": (clean["nominal_ref"], clean["group_ref"], clean["started_on"].isoformat()),
                "nominal_id": nominal_id, "group_id": group_id, "started_on": clean["started_on"],
                "ended_on": clean.get("ended_on")}
