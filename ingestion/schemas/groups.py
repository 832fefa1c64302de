"""Groups: organised crime groups, urban crime groups, peer crime groups."""
from ingestion.schemas.base import Column, Schema, choice, ref, text
from nominals.models import GroupType


class GroupsSchema(Schema):
    kind = "groups"
    target = "register"
    description = "groups (OCG, urban crime group, peer crime group)"
    columns = [
        Column("ref", ref, required=True, help="the force's group reference, unique", example="G001"),
        Column("name", text(200), required=True, example="Operation Example OCG"),
        Column("group_type", choice(*GroupType.values), required=True, help="ocg, ucg or pcg", example="ocg"),
    ]

    def finish(self, clean, errors):
        return {"key": clean["ref"], **clean}
