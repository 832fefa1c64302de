"""Crimestoppers intelligence reports (anonymous: no reporter details are ever sent)."""
from ingestion.schemas.base import Column, text
from ingestion.schemas.partner import PartnerSchema, partner_columns


class CrimestoppersSchema(PartnerSchema):
    kind = "crimestoppers"
    record_kind = "crimestoppers"
    description = "Crimestoppers intelligence reports"
    columns = partner_columns(
        Column("category", text(100), required=True, help="e.g. drugs supply, firearms, exploitation",
               example="drugs supply"),
        Column("summary", text(), help="sanitised summary, no names"),
    )
