"""One schema class per dataset kind, apart from the models (see docs/ingestion.md)."""
from ingestion.schemas.activities import ActivitiesSchema
from ingestion.schemas.base import SKIP, Column, RowInvalid, Schema
from ingestion.schemas.boundaries import BoundariesSchema
from ingestion.schemas.crimes import CrimesSchema
from ingestion.schemas.crimestoppers import CrimestoppersSchema
from ingestion.schemas.drug_deaths import DrugDeathsSchema
from ingestion.schemas.firearms_intel import FirearmsIntelSchema
from ingestion.schemas.groups import GroupsSchema
from ingestion.schemas.memberships import MembershipsSchema
from ingestion.schemas.nominals import NominalsSchema
from ingestion.schemas.policeuk import PoliceUkSchema
from ingestion.schemas.priority import PrioritySchema
from ingestion.schemas.referrals import ReferralsSchema
from ingestion.schemas.trading_standards import TradingStandardsSchema

SCHEMAS: dict[str, type[Schema]] = {
    cls.kind: cls
    for cls in (
        PoliceUkSchema, CrimesSchema, NominalsSchema, GroupsSchema, MembershipsSchema, PrioritySchema,
        ReferralsSchema, DrugDeathsSchema, CrimestoppersSchema, TradingStandardsSchema, FirearmsIntelSchema,
        BoundariesSchema, ActivitiesSchema,
    )
}

__all__ = ["SCHEMAS", "SKIP", "Column", "RowInvalid", "Schema"]
