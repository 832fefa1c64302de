"""The force's crime extract: one row per crime, with its Home Office offence code.

Linked nominals are written ``N001:suspect;N002:offender``. Every nominal must
already exist (upload the nominals register first): a crime is never linked to
a person the portal does not know, and a typo is reported rather than creating
a stranger.
"""
import json

from ingestion.schemas.base import (
    LOCATION_COLUMNS,
    Column,
    Schema,
    boolean,
    date_past,
    location,
    ref,
    text,
)
from ingestion.schemas.lookups import RefLookup, column_values
from nominals.models import LinkRole, Nominal
from records.models import OffenceType


def nominal_links(value) -> list[tuple[str, str]]:
    links = []
    for part in str(value).split(";"):
        part = part.strip()
        if not part:
            continue
        nominal_ref, _, role = part.partition(":")
        role = (role or "").strip().lower()
        if role not in LinkRole.values:
            raise ValueError(f"{part[:40]!r}: write REF:ROLE with ROLE one of {', '.join(LinkRole.values)}")
        links.append((ref(nominal_ref), role))
    return links


class CrimesSchema(Schema):
    kind = "crimes"
    record_kind = "crime"
    description = "force crime extract"
    columns = [
        Column("reference", ref, required=True, help="the force's crime reference, unique", example="CR-2023-000123"),
        Column("offence_code", text(20), required=True, help="Home Office offence code, e.g. 8N, 28E, 92A",
               example="92A"),
        Column("date", date_past, required=True, help="YYYY-MM-DD or DD/MM/YYYY, not in the future",
               example="2023-02-14"),
        *LOCATION_COLUMNS,
        Column("drug_supply", boolean, help="Y/N", example="Y"),
        Column("cannabis_farm", boolean, help="Y/N", example="N"),
        Column("firearms_discharge", boolean, help="Y/N", example="N"),
        Column("nominals", nominal_links, help="linked nominals, REF:ROLE separated by ;",
               example="N001:suspect;N002:offender"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

        self.offence_ids = dict(OffenceType.objects.filter(is_approximation=False).values_list("code", "id"))
        self.nominals = RefLookup(Nominal)

    def prepare_batch(self, rows):
        # The column holds "REF:ROLE;REF:ROLE": load the references of the whole batch at once.
        cells = column_values(rows, self.index.get("nominals"))
        self.nominals.load(p.split(":")[0] for cell in cells if isinstance(cell, str) for p in cell.split(";"))

    def finish(self, clean, errors):
        offence_id = self.offence_ids.get(clean["offence_code"])
        if offence_id is None:
            errors.append(("offence_code", f"{clean['offence_code']!r} is not a known Home Office offence code"))
        lat, lon = location(clean, errors)
        links = []
        for nominal_ref, role in clean.get("nominals") or []:
            nominal_id = self.nominals.ids.get(nominal_ref)
            if nominal_id is None:
                errors.append(("nominals", f"nominal {nominal_ref!r} does not exist: upload the nominals first"))
            else:
                links.append((nominal_id, role))
        return {
            "external_ref": clean["reference"], "occurred_on": clean["date"], "lat": lat, "lon": lon,
            "offence_type_id": offence_id, "drug_supply": bool(clean.get("drug_supply")),
            "cannabis_farm": bool(clean.get("cannabis_farm")),
            "firearms_discharge": bool(clean.get("firearms_discharge")),
            "details": json.dumps({"offence_code": clean["offence_code"]}), "links": sorted(set(links)),
        }
