"""Trading Standards records (e.g. illicit tobacco, counterfeit goods seizures)."""
from ingestion.schemas.base import Column, text
from ingestion.schemas.partner import PartnerSchema, partner_columns


class TradingStandardsSchema(PartnerSchema):
    kind = "trading_standards"
    record_kind = "trading_standards"
    description = "Trading Standards records"
    columns = partner_columns(
        Column("category", text(100), required=True, help="e.g. illicit tobacco, counterfeit goods",
               example="illicit tobacco"),
        Column("summary", text(), help="sanitised summary, no names"),
    )
