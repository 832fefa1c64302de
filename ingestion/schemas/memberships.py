"""Group memberships over time; one row per (nominal, group, start date)."""
from ingestion.schemas.base import Column, Schema, date_past, ref
from ingestion.schemas.lookups import RefLookups, check_period


class MembershipsSchema(RefLookups, Schema):
    kind = "memberships"
    target = "register"
    description = "group memberships with start and end dates"
    columns = [
        Column("nominal_ref", ref, required=True, example="N001"),
        Column("group_ref", ref, required=True, example="G001"),
        Column("started_on", date_past, required=True, help="YYYY-MM-DD", example="2021-06-01"),
        Column("ended_on", date_past, help="empty while still a member", example=""),
    ]

    ref_columns = {"nominal_ref": ("nominals.Nominal", "nominal"), "group_ref": ("nominals.Group", "group")}

    def finish(self, clean, errors):
        nominal_id = self.resolve(clean, "nominal_ref", errors)
        group_id = self.resolve(clean, "group_ref", errors)
        check_period(clean, errors)
        return {"key": (clean["nominal_ref"], clean["group_ref"], clean["started_on"].isoformat()),
                "nominal_id": nominal_id, "group_id": group_id, "started_on": clean["started_on"],
                "ended_on": clean.get("ended_on")}
