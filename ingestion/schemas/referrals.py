"""Diversion referrals: a nominal referred into a diversionary scheme on a date."""
from ingestion.schemas.base import Column, Schema, date_past, ref, text
from ingestion.schemas.lookups import RefLookup, column_values


class ReferralsSchema(Schema):
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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from nominals.models import Nominal

        self.nominals = RefLookup(Nominal)

    def prepare_batch(self, rows):
        self.nominals.load(column_values(rows, self.index.get("nominal_ref")))

    def finish(self, clean, errors):
        nominal_id = self.nominals.resolve(clean["nominal_ref"], "nominal_ref", errors, "nominal")
        return {"key": clean["ref"], "ref": clean["ref"], "nominal_id": nominal_id, "scheme": clean["scheme"],
                "referred_on": clean["referred_on"], "outcome": clean.get("outcome") or ""}
