"""Area boundaries: a GeoJSON FeatureCollection for one level, handed to sectors.services.areas_import.

Options (form fields or ``--option`` on the command): ``level`` (1 area command,
2 sector, 3 neighbourhood), ``code_property`` and ``name_property`` (the feature
properties holding each area's code and name).
"""
from ingestion.schemas.base import Column, Schema


class BoundariesSchema(Schema):
    kind = "boundaries"
    target = "boundaries"
    description = "area boundaries for one level (GeoJSON FeatureCollection, WGS84)"
    columns = [
        Column("level", int, required=True, help="1 area command, 2 sector, 3 neighbourhood", example="2"),
        Column("code_property", str, required=True, help="feature property with the area code", example="WD13CD"),
        Column("name_property", str, required=True, help="feature property with the area name", example="WD13NM"),
    ]

    def template_rows(self):
        return [["option", "meaning", "example"]] + [[c.name, c.help, c.example] for c in self.columns]
