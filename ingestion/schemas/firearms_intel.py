"""Firearms intelligence reports."""
from ingestion.schemas.base import Column, text
from ingestion.schemas.partner import PartnerSchema, partner_columns


class FirearmsIntelSchema(PartnerSchema):
    kind = "firearms_intel"
    record_kind = "firearms_intel"
    description = "firearms intelligence reports"
    columns = partner_columns(
        Column("grading", text(20), help="intelligence grading, e.g. 1A4 or B2", example="B2"),
        Column("summary", text(), help="sanitised summary, no names"),
    )
