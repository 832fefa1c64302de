"""The demo's activities (``portal.demo_campaigns``), and the synthetic records shaped around them.

``Plan`` places each campaign on its group's home sector before the synthetic records are written,
and ``Plan.shape`` decides, record by record, what a campaign did to the months after it: after a
FALL campaign most synthetic records of the sector are not written; after a DISPLACED one most are
written in one touching sector instead (the quietest one that nothing targets). Only synthetic
records are shaped; the real police.uk months come after every effect. Each decision is drawn from
a generator seeded with the record's reference, so the shaping is the same on every load whatever
order the records are written in, and the rest of the synthetic layer draws what it drew before.
"""
import random
from dataclasses import dataclass
from datetime import date

import shapely
from django.contrib.auth.models import Group as AuthGroup
from shapely.geometry import Point, mapping, shape

from core import roles
from core.models import Organisation
from core.months import add_months, month_end
from portal.demo_campaigns import (
    AROUND, CAMPAIGNS, COUNCIL, COUNCILS, DISPLACED, FALL, NONE, POINT, POLYGON, Act, Campaign,
)
from sectors.geometry import neighbour_map
from sectors.locator import current_locator
from sectors.models import Area, Level
from tasking.models import POLICE_KINDS, Activity
from tasking.services.activities import activity_create

EFFECT_MONTHS = 6  # how long after a campaign its effect lasts in the records
FALL_DROP = 0.8  # the share of a sector's synthetic records not written after a FALL campaign
DISPLACED_MOVE = 0.7  # the share written in the touching sector instead, after a DISPLACED campaign
KEEP = "keep"


@dataclass(frozen=True)
class Effect:
    kind: str  # FALL or DISPLACED
    after: date  # the campaign's last day: records after it are shaped ...
    until: date  # ... up to this day
    to: int | None = None  # DISPLACED: the sector the records move to


def campaign_end(campaign: Campaign) -> date:
    return max(act.ended_on or act.started_on for act in campaign.acts)


def effect_window(campaign: Campaign) -> tuple[date, date]:
    """The days a campaign's effect is written into: after its last day, to the end of its 6th month after."""
    end = campaign_end(campaign)
    return end, month_end(add_months(end.replace(day=1), EFFECT_MONTHS))


class Plan:
    """Where each campaign lands and what it does to the records, from the geography and the groups' homes."""

    def __init__(self, *, homes: dict[str, str], quiet: dict[str, int]):
        """``homes``: group ref -> the code of its home sector; ``quiet``: sector code -> recorded crime there."""
        rows = list(Area.objects.filter(level=Level.SECTOR).order_by("code")
                    .values("id", "code", "label_lat", "label_lon", "boundary", "parent__name"))
        self.sectors = {r["id"]: r for r in rows}
        by_code = {r["code"]: r["id"] for r in rows}
        self.home = {ref: by_code[code] for ref, code in homes.items()}
        self.touching = neighbour_map(level=Level.SECTOR)
        self.locator = current_locator()
        self.effects: dict[int, list[Effect]] = {}
        self.moved_to: dict[str, int] = {}  # group ref of a DISPLACED campaign -> the sector its harm moved to
        busy = set(self.home.values()) | {pk for c in CAMPAIGNS for pk in self.targets(c)}
        for campaign in CAMPAIGNS:
            if campaign.effect == NONE:
                continue
            sector = self.home[campaign.group]
            after, until = effect_window(campaign)
            to = None
            if campaign.effect == DISPLACED:
                # The quietest touching sector nothing targets (any touching one, if all are targeted).
                free = sorted(self.touching[sector] - busy or self.touching[sector],
                              key=lambda pk: (quiet.get(self.sectors[pk]["code"], 0), self.sectors[pk]["code"]))
                if not free:
                    raise RuntimeError(f"{campaign.group}'s home sector touches no other: nowhere to displace to")
                to = self.moved_to[campaign.group] = free[0]
            self.effects.setdefault(sector, []).append(Effect(campaign.effect, after, until, to))

    def targets(self, campaign: Campaign) -> set[int]:
        """The sectors a campaign's activities name (a point or polygon adds none: they lie in the home sector)."""
        home = self.home[campaign.group]
        found = {home}
        for act in campaign.acts:
            found |= {self.home[ref] for ref in act.also}
            if act.where == AROUND:
                found |= self.touching[home]
        return found

    def shape(self, ref: str, sector_id: int | None, day: date):
        """KEEP, None (not written), or the (neighbourhood, sector, command, lat, lon) it is written at instead."""
        for effect in self.effects.get(sector_id, ()):
            if effect.after < day <= effect.until:
                rng = random.Random(ref)
                if effect.kind == FALL:
                    return None if rng.random() < FALL_DROP else KEEP
                if rng.random() < DISPLACED_MOVE:
                    return self._point_in(effect.to, rng, spread=0.003)
        return KEEP

    def _point_in(self, sector_id: int, rng: random.Random, spread: float):
        """A point near the sector's label point that lies in it, with its located areas."""
        sector = self.sectors[sector_id]
        lat, lon = sector["label_lat"], sector["label_lon"]
        for _ in range(20):
            candidate = (round(lat + rng.gauss(0, spread), 6), round(lon + rng.gauss(0, spread * 1.6), 6))
            area, found, command = self.locator.places([candidate[1]], [candidate[0]])[0]
            if found == sector_id:
                return area, found, command, candidate[0], candidate[1]
        area, found, command = self.locator.places([lon], [lat])[0]
        return area, found, command, lat, lon

    def _polygon_in(self, sector_id: int, rng: random.Random) -> dict:
        """A small octagon (a street or an estate, about 250 m across) inside the sector."""
        _, _, _, lat, lon = self._point_in(sector_id, rng, spread=0.002)
        inside = shape(self.sectors[sector_id]["boundary"]).buffer(-0.0003)
        for radius in (0.0025, 0.0012, 0.0005):
            polygon = Point(lon, lat).buffer(radius, quad_segs=2).intersection(inside)
            if polygon.geom_type == "Polygon" and not polygon.is_empty:
                break
        else:
            polygon = Point(lon, lat).buffer(0.0003, quad_segs=2)
        return mapping(shapely.set_precision(polygon, 1e-6))

    def aim(self, campaign: Campaign, act: Act) -> dict:
        """The activity_create arguments saying where ``act`` was aimed."""
        home = self.home[campaign.group]
        rng = random.Random(act.ref)
        areas = [home] + [self.home[ref] for ref in act.also]
        if act.where == AROUND:
            areas += sorted(self.touching[home])
        if act.where == POINT:
            _, _, _, lat, lon = self._point_in(home, rng, spread=0.002)
            return {"areas": [], "lat": lat, "lon": lon}
        if act.where == POLYGON:
            return {"areas": [], "boundary": self._polygon_in(home, rng)}
        return {"areas": areas}


def _council(command_name: str) -> Organisation:
    """The local authority as a partner organisation (with its own group, as every partner has)."""
    code, name = COUNCILS[command_name]
    group, _ = AuthGroup.objects.get_or_create(name=f"{roles.PARTNER}: {name}")
    organisation, _ = Organisation.objects.get_or_create(
        code=code, defaults={"name": name, "kind": Organisation.Kind.PARTNER, "group": group, "upload_kinds": []})
    return organisation


def _named(act: Act, members: list, day: date) -> list:
    """The first ``act.nominals`` members of the group on the day (restricted nominals are never named)."""
    current = [n for n, started, ended in members
               if started <= day and (ended is None or ended >= day) and not n.is_restricted]
    return sorted(current, key=lambda n: n.ref)[:act.nominals]


def activities_load(plan: Plan, members: list) -> int:
    """Record the campaigns' activities through the activity service; those already recorded are left. Returns
    how many were added. ``members``: (nominal, group, home, started, ended) as the synthetic layer makes them."""
    existing = set(Activity.objects.filter(ref__startswith="SYN-ACT-").values_list("ref", flat=True))
    by_group: dict[str, list] = {}
    groups = {}
    for nominal, group, _, started, ended in members:
        by_group.setdefault(group.ref, []).append((nominal, started, ended))
        groups[group.ref] = group
    owners = {o.code: o for o in Organisation.objects.all()}
    added = 0
    for campaign in CAMPAIGNS:
        home = plan.sectors[plan.home[campaign.group]]
        for act in campaign.acts:
            if act.ref in existing:
                continue
            owner = _council(home["parent__name"]) if act.owner == COUNCIL else owners[act.owner]
            police = act.kind in POLICE_KINDS
            activity_create(
                user=None, ref=act.ref, kind=act.kind, title=act.title, started_on=act.started_on,
                ended_on=act.ended_on, organisation=owner, notes=act.notes, is_synthetic=True,
                groups=[groups[campaign.group]] if police else [],
                nominals=_named(act, by_group[campaign.group], act.started_on), **plan.aim(campaign, act))
            added += 1
    return added
