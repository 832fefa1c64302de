"""Diversion referrals: a nominal referred into a diversionary scheme on a date."""
from ingestion.schemas.base import Column, Schema, date_past, ref, text
from ingestion.schemas.lookups import RefLookups


class ReferralsSchema(RefLookups, Schema):
    kind = "referrals"
    target = "register"
    description = "diversion referrals"
    columns = [
        Column("ref", ref, required=True, help="the referral's reference, unique", example="DR-001"),
        Column("nominal_ref", ref, required=True, example="N001"),
        Column("scheme", text(200), required=True, example="Youth diversion programme"),
        Column("referred_on", date_past, required=True, help="YYYY-MM-DD", example="2022-09-01"),
        Column("outcome", text(200), help="e.g. completed, disengaged", example="completed"),
    ]

    ref_columns = {"nominal_ref": ("nominals.Nominal", "nominal")}

    def finish(self, clean, errors):
        nominal_id = self.resolve(clean, "nominal_ref", errors)
        return {"key": clean["ref"], "ref": clean["ref"], "nominal_id": nominal_id, "scheme": clean["scheme"],
                "referred_on": clean["referred_on"], "outcome": clean.get("outcome") or ""}
