"""Activities: police operations and partner actions, their period, owner and targets.

Sectors, groups and nominals are given by their codes or references, separated by ";". A partner
may upload only activities its own organisation owns; the force (analysts) may name any owner.
"""
from core.models import Organisation
from ingestion.schemas.base import Column, Schema, date_past, number, ref, text
from ingestion.schemas.lookups import column_values
from nominals.models import Group, Nominal
from sectors.locator import current_locator
from sectors.models import Area, Level
from tasking.models import ActivityKind

SEPARATOR = ";"


def codes(value) -> list[str]:
    found = [part.strip() for part in str(value).split(SEPARATOR) if part.strip()]
    for part in found:
        ref(part)
    return found


def activity_kind(value) -> str:
    raw = str(value).strip().lower()
    if raw not in ActivityKind.values:
        raise ValueError(f"{raw[:30]!r} is not one of: {', '.join(ActivityKind.values)}")
    return raw


class ActivitiesSchema(Schema):
    kind = "activities"
    target = "register"
    description = "police and partner activities"
    columns = [
        Column("ref", ref, required=True, help="the activity's reference, unique; the same ref updates it",
               example="OP-2024-001"),
        Column("kind", activity_kind, required=True, help=", ".join(ActivityKind.values), example="operation"),
        Column("title", text(200), required=True, example="Operation Example: drug supply"),
        Column("started_on", date_past, required=True, help="YYYY-MM-DD", example="2024-03-01"),
        Column("ended_on", date_past, help="YYYY-MM-DD; empty for a one-day action", example="2024-03-31"),
        Column("organisation", ref, help="the owner's code; empty: yours (partners: only yours)", example="force"),
        Column("sectors", codes, help="sector codes separated by ;", example="S1;S2"),
        Column("lat", number, help="WGS84 latitude of a point target", example=""),
        Column("lon", number, help="WGS84 longitude of a point target", example=""),
        Column("groups", codes, help="group refs separated by ;", example=""),
        Column("nominals", codes, help="nominal refs separated by ;", example=""),
        Column("notes", text(2000), example=""),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Small reference tables: read once per file.
        self.organisations = dict(Organisation.objects.values_list("code", "id"))
        self.sectors = dict(Area.objects.filter(level=Level.SECTOR).values_list("code", "id"))

    def prepare_batch(self, rows):
        """The batch's group and nominal references, one query per column."""
        self.refs = {}
        for column, model in (("groups", Group), ("nominals", Nominal)):
            wanted = {part.strip() for value in column_values(rows, self.index.get(column))
                      for part in str(value).split(SEPARATOR) if part.strip()}
            self.refs[column] = dict(model.objects.filter(ref__in=wanted).values_list("ref", "id")) if wanted else {}

    def _resolve(self, clean, column, errors) -> list[int]:
        given = clean.get(column) or []
        missing = [r for r in given if r not in self.refs[column]]
        if missing:
            errors.append((column, f"no {column[:-1]} {', '.join(missing[:5])}: upload the {column} first"))
        return [self.refs[column][r] for r in given if r in self.refs[column]]

    def _owner(self, clean, errors) -> int | None:
        own = self.organisation
        code = clean.get("organisation") or (own.code if own else None)
        if own is not None and own.kind == Organisation.Kind.PARTNER and code != own.code:
            errors.append(("organisation", f"you may upload only your own organisation's activities ({own.code})"))
            return None
        if code not in self.organisations:
            errors.append(("organisation", f"no organisation {code!r}"))
            return None
        return self.organisations[code]

    def finish(self, clean, errors):
        if clean.get("ended_on") and clean["ended_on"] < clean["started_on"]:
            errors.append(("ended_on", "ends before it starts"))
        if (clean.get("lat") is None) != (clean.get("lon") is None):
            errors.append(("lat", "give both lat and lon, or neither"))
        sectors = clean.get("sectors") or []
        unknown = [c for c in sectors if c not in self.sectors]
        if unknown:
            errors.append(("sectors", f"no sector {', '.join(unknown[:5])}"))
        if not sectors and clean.get("lat") is None:
            errors.append(("sectors", "give the sectors targeted, or a point (lat, lon)"))
        elif clean.get("lat") is not None and clean.get("lon") is not None and current_locator().places([clean["lon"]], [clean["lat"]])[0][1] is None:
            errors.append(("lat", f"the point {clean['lat']},{clean['lon']} lies outside the force's sectors"))
        owner = self._owner(clean, errors)
        groups, nominals = self._resolve(clean, "groups", errors), self._resolve(clean, "nominals", errors)
        return {"key": clean["ref"], "ref": clean["ref"], "kind": clean["kind"], "title": clean["title"],
                "started_on": clean["started_on"], "ended_on": clean.get("ended_on"), "organisation_id": owner,
                "area_ids": [self.sectors[c] for c in sectors if c in self.sectors], "lat": clean.get("lat"),
                "lon": clean.get("lon"), "groups": groups, "nominals": nominals,
                "notes": clean.get("notes") or ""}
