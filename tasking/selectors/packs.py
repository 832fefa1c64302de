"""Reads of tasking packs and actions. Each takes the user: nobody without PACKS sees any of them.

A pack is read from its snapshot alone, so it shows what the meeting saw however the data changed
since; only who may see its top records and nominals is decided now, by today's access.
"""
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet

from records.permissions import record_sector_ids
from scoring.selectors.drilldown import item_from_json, item_json, withheld
from scoring.selectors.ranking import ranking
from sectors.models import Area, Level
from tasking.since import since_rows, top_changes
from tasking.models import OPEN_STATUSES, Action, TaskingPack
from tasking.permissions import can_see_packs
from tasking.services.packs import row_json


def packs_list(*, user) -> QuerySet:
    """Every pack, latest meeting first, with how many of its actions are still open (one query)."""
    if not can_see_packs(user):
        return TaskingPack.objects.none()
    return (TaskingPack.objects.select_related("prepared_by")
            .annotate(open_actions=Count("actions", filter=Q(actions__status__in=OPEN_STATUSES), distinct=True),
                      areas_count=Count("areas", distinct=True))
            .defer("snapshot").order_by("-meeting_on", "-prepared_at"))


def _months(window: dict) -> dict:
    return {k: date.fromisoformat(v) if isinstance(v, str) else v for k, v in window.items()}


def _visible_area(section: dict, allowed: set[int] | None, user) -> dict:
    """One selected area as the viewer may see it: top records only where they may read the area's records,
    nominals they may not read withheld, the dominant item's words accordingly."""
    may_records = allowed is None or section["area_id"] in allowed
    top = None
    if may_records and section["top"] is not None:
        top = withheld([item_from_json(i) for i in section["top"]], user)
    dominant = section["dominant"]
    words = ""
    if dominant:
        if dominant["kind"] == "record":
            words = dominant["words"] if may_records and section["top"] is not None else dominant["withheld"]
        else:
            may_read = user.has_perm("nominals.view_nominal") and (
                not dominant.get("restricted") or user.has_perm("nominals.view_restricted_nominal"))
            words = dominant["words"] if may_read else dominant["withheld"]
    return {**section, "top": top, "records_allowed": may_records, "records_frozen": section["top"] is not None,
            "dominant_words": words}


def pack_view(*, user, pack: TaskingPack) -> dict:
    """What the pack shows, from its snapshot only (the caller has checked access_pack). No query."""
    snap = pack.snapshot
    as_of = snap["data_as_of"]["finished_at"]
    allowed = record_sector_ids(user)
    selected = {s["area_id"] for s in snap["areas"]}
    return {
        "pack": pack, "snapshot": snap, "window": _months(snap["window"]), "edition": snap["edition"],
        "measures": snap["measures"], "data_as_of": snap["data_as_of"],
        "data_finished_at": as_of and datetime.fromisoformat(as_of),
        "ranking": [{**r, "selected": r["area_id"] in selected} for r in snap["ranking"]],
        "areas": [_visible_area(s, allowed, user) for s in snap["areas"]],
        "force_harm": snap["force_harm"],
    }


def shown_ids(view: dict) -> dict:
    """The records and nominals a pack view showed, for its audit event."""
    items = [i for a in view["areas"] for i in (a["top"] or [])]
    return {"records": [i.id for i in items if i.item_type == "record"],
            "nominals": [i.id for i in items if i.item_type == "nominal" and i.id]}


def top_json(view_area: dict) -> list[dict]:
    return [item_json(i) for i in view_area["top"] or []]


def pack_since(*, user, pack: TaskingPack, same_window: bool = False) -> dict:
    """The pack's selected areas then and now, and the areas that entered or left the top ten.

    Now is today's ranking with the pack's window length and measures: ending at the latest complete
    month (default), or over the pack's own window (``same_window``: what changed in the data of the
    months the meeting looked at).
    """
    snap = pack.snapshot
    window = _months(snap["window"])
    now = ranking(user=user, level=snap.get("level", Level.SECTOR), months=window["months"],
                  end_month=window["end"] if same_window else None, measure_codes=snap["measure_codes"])
    now_rows = [row_json(r) for r in now.rows]
    area_ids = [s["area_id"] for s in snap["areas"]]
    return {"pack": pack, "window": window, "now_start": now.start, "now_end": now.end, "same_window": same_window,
            "rows": since_rows(snap["ranking"], now_rows, area_ids),
            "top": top_changes(snap["ranking"], now_rows),
            "data_as_of": snap["data_as_of"]}


def _actions(user) -> QuerySet:
    if not can_see_packs(user):
        return Action.objects.none()
    return Action.objects.select_related("pack", "area", "group", "owner", "owner_organisation")


def pack_actions(*, user, pack: TaskingPack) -> list[Action]:
    """The pack's actions, due first, with their linked activities (two queries)."""
    return list(_actions(user).filter(pack=pack).prefetch_related("activities").order_by("due_on", "id"))


def open_actions(*, user, owner_id: int | None = None, area: Area | None = None, limit: int | None = None) -> list:
    """Open and in-progress actions, due first: of one owner, or on one area or any area inside it; with their
    linked activities (two queries)."""
    qs = _actions(user).filter(status__in=OPEN_STATUSES).prefetch_related("activities")
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if area is not None:
        qs = qs.filter(Q(area=area) | Q(area__parent=area) | Q(area__parent__parent=area)
                       | Q(area__parent__parent__parent=area))
    qs = qs.order_by("due_on", "id")
    return list(qs[:limit] if limit else qs)


def action_owners() -> QuerySet:
    """The users an action may be given to: those who see packs (through a role or their own permission)."""
    perm = Q(content_type__app_label="tasking", codename="view_taskingpack")
    return (get_user_model().objects.filter(is_active=True)
            .filter(Q(groups__permissions__in=_perm_ids(perm)) | Q(user_permissions__in=_perm_ids(perm))
                    | Q(is_superuser=True))
            .distinct().order_by("username"))


def _perm_ids(where: Q):
    return Permission.objects.filter(where).values("id")


def action_sectors() -> QuerySet:
    return Area.objects.filter(level=Level.SECTOR).order_by("name")
