"""Coroner's office: drug-related deaths, with the substances found by toxicology."""
from ingestion.schemas.base import Column, choice, text
from ingestion.schemas.partner import PartnerSchema, partner_columns


def substances(value) -> list[str]:
    names = [s.strip().lower() for s in str(value).split(";") if s.strip()]
    if any(len(n) > 100 for n in names):
        raise ValueError("field too long: a substance name is over 100 characters")
    return sorted(set(names))


class DrugDeathsSchema(PartnerSchema):
    kind = "drug_deaths"
    record_kind = "drug_death"
    description = "Coroner: drug-related deaths (date of death, place, toxicology)"
    columns = partner_columns(
        Column("substances", substances, help="substances found by toxicology, separated by ;",
               example="heroin;cocaine"),
        Column("inquest_status", choice("open", "concluded"), help="open or concluded", example="concluded"),
        Column("notes", text(), help="free text, no names"),
    )
