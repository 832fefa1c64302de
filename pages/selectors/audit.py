"""The audit trail in words: each event's object named (a nominal's reference, an area's name, an
upload's file name) and linked to the trail of that object, its detail as fields.

Naming takes one query per kind of object on the page, whatever the number of events.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import User

from ingestion.models import Upload
from nominals.models import Group, Nominal
from sectors.models import Area, Level

# The objects a governance lead asks about, and the kinds of event that are about each.
OBJECTS = {
    "area": ("an area (its page, records and exports)", ("area", "area_records", "area_contributing_records")),
    "nominal": ("a nominal", ("nominal",)),
    "group": ("a group", ("group",)),
    "upload": ("an upload", ("upload",)),
    "user": ("a user account", ("user",)),
    "ranking": ("the ranking (exports)", ("ranking",)),
    "theme": ("a thematic view (exports)", ("theme",)),
    "demand": ("the demand figures (exports)", ("demand",)),
    "impact": ("the impact views (activity and referrals) and their export", ("impact", "impact_referrals")),
    "audit_trail": ("the audit trail itself", ("audit_trail",)),
    "scoring_run": ("a scoring run", ("scoring_run",)),
    "page": ("a refused page", ("page",)),
}
OBJECT_OF_TYPE = {t: key for key, (_, types) in OBJECTS.items() for t in types}
WHAT = {"area_records": "records of ", "area_contributing_records": "top records of "}
LIST_SHOWN = 8


@dataclass
class EventRow:
    event: object
    object_label: str = ""
    object_query: str = ""  # the trail filtered to this object
    user_query: str = ""  # the trail filtered to this user
    fields: list[tuple[str, str]] = field(default_factory=list)


def object_trail_query(object_key: str, object_id) -> str:
    return urlencode({"object_type": object_key, "object_id": object_id})


def _is_role_change(event) -> bool:
    # Django's permission groups (roles) share the object type "group" with the nominals' groups.
    return event.object_type == "group" and (event.detail or {}).get("change") == "group.permissions"


def _names(events) -> dict[str, dict[str, str]]:
    wanted = defaultdict(set)
    for e in events:
        if e.object_id and e.object_id.isdigit():
            wanted["role" if _is_role_change(e) else OBJECT_OF_TYPE.get(e.object_type, "")].add(int(e.object_id))
    names: dict[str, dict[str, str]] = defaultdict(dict)
    if wanted["area"]:
        for pk, name, level in Area.objects.filter(pk__in=wanted["area"]).values_list("pk", "name", "level"):
            names["area"][str(pk)] = f"{name} ({Level(level).label})"
    if wanted["nominal"]:
        names["nominal"] = {str(pk): f"nominal {ref}"
                            for pk, ref in Nominal.objects.filter(pk__in=wanted["nominal"]).values_list("pk", "ref")}
    if wanted["group"]:
        names["group"] = {str(pk): f"group {ref}"
                          for pk, ref in Group.objects.filter(pk__in=wanted["group"]).values_list("pk", "ref")}
    if wanted["upload"]:
        names["upload"] = {str(pk): f"upload {pk} ({name})" for pk, name in
                           Upload.objects.filter(pk__in=wanted["upload"]).values_list("pk", "original_name")}
    if wanted["user"]:
        names["user"] = {str(pk): f"user {username}" for pk, username in
                         User.objects.filter(pk__in=wanted["user"]).values_list("pk", "username")}
    if wanted["role"]:
        names["role"] = {str(pk): f"role {name}"
                         for pk, name in Role.objects.filter(pk__in=wanted["role"]).values_list("pk", "name")}
    return names


def _level(value: str) -> str:
    try:
        return Level(int(value)).label
    except ValueError:
        return ""


def _object_label(event, names) -> str:
    detail, kind = event.detail or {}, event.object_type
    if _is_role_change(event):
        return names["role"].get(event.object_id, f"role {event.object_id}")
    key = OBJECT_OF_TYPE.get(kind)
    if key in names and event.object_id in names[key]:
        return WHAT.get(kind, "") + names[key][event.object_id]
    if kind == "user" and detail.get("target_username"):
        return f"user {detail['target_username']}"
    if kind == "upload" and detail.get("name"):
        return f"upload {event.object_id} ({detail['name']})"
    if kind == "page":
        return f"page {detail.get('path', event.object_id)}"
    if kind == "ranking":
        return f"ranking of {_level(event.object_id)}s" if _level(event.object_id) else "ranking"
    if kind == "demand":
        return f"demand by {_level(event.object_id)}" if _level(event.object_id) else "demand"
    if kind == "theme":
        return f"theme {event.object_id}"
    if kind == "audit_trail":
        return "the audit trail"
    if kind == "nominal_search":
        return "a search of nominals"
    if kind in ("measure", "css_edition") and detail.get("code"):
        return f"{kind.replace('_', ' ')} {detail['code']}"
    label = kind.replace("_", " ")
    return f"{WHAT.get(kind, '')}{label} {event.object_id}".strip() if event.object_id else label


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        shown = ", ".join(_value(v) for v in value[:LIST_SHOWN])
        return f"{shown}, … ({len(value)} in all)" if len(value) > LIST_SHOWN else shown or "none"
    if isinstance(value, dict):
        if set(value) <= {"old", "new"}:
            return f"{_value(value.get('old'))} → {_value(value.get('new'))}"
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items()) or "none"
    return str(value)


def detail_fields(detail: dict) -> list[tuple[str, str]]:
    """The detail as (label, value) pairs, in words; a user change as one field per changed field."""
    fields = []
    for key, value in (detail or {}).items():
        if key in ("target_id", "target_username"):
            continue  # named in the object
        if key in ("changes", "filters", "params") and isinstance(value, dict):
            fields += [(f"{k.replace('_', ' ')}", _value(v)) for k, v in value.items()]
            if not value:
                fields.append((key, "none"))
            continue
        fields.append((key.replace("_", " "), _value(value)))
    return fields


def audit_rows(events) -> list[EventRow]:
    """Each event with its object named and its detail as fields (events: a page of the trail)."""
    events = list(events)
    names = _names(events)
    rows = []
    for e in events:
        key = "" if _is_role_change(e) else OBJECT_OF_TYPE.get(e.object_type, "")
        rows.append(EventRow(
            event=e, object_label=_object_label(e, names) if e.object_type else "",
            object_query=object_trail_query(key, e.object_id) if key and e.object_id else "",
            user_query=urlencode({"username": e.username}) if e.username else "",
            fields=detail_fields(e.detail),
        ))
    return rows
