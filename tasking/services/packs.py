"""Preparing a tasking pack: the only writer of TaskingPack, which it writes once and never updates.

The snapshot holds everything the pack shows, as JSON, so the pack reads nothing else when it is
reopened: the sector ranking (every row, with rank, harm, counts, change and both significance
tests), and for each selected sector its figures by measure and by harm type, the words naming a
dominant item, and its top records. Top records are read with the preparer's own access (audited
as any read of them is); who may see them when the pack is reopened is decided again then.
"""
from dataclasses import asdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent
from records.permissions import can_view_records
from scoring.models import Measure
from scoring.permissions import can_see_rankings
from scoring.selectors.drilldown import (
    NOMINAL_WITHHELD,
    RECORD_NOT_GRANTED,
    STORED_LIMIT,
    contributing_records,
    dominant_item,
    dominant_nominal_words,
    item_json,
)
from scoring.selectors.ranking import WINDOWS, Ranking, RankingRow, ranking
from scoring.selectors.stored import latest_run
from scoring.selectors.totals import heaviest_nominals
from sectors.models import Area, Level
from tasking.since import json_safe
from tasking.models import TaskingPack
from tasking.permissions import can_prepare_pack

SNAPSHOT_VERSION = 1
MAX_AREAS = 30  # a meeting's agenda, not the whole ranking (which the pack holds anyway)


def row_json(row: RankingRow) -> dict:
    """A ranking row as the snapshot holds it (every figure the ranking gives, nothing derived)."""
    return json_safe(asdict(row))


def _validate(*, title: str, meeting_on, area_ids, window_months: int) -> list[int]:
    errors = {}
    if not title or not title.strip():
        errors["title"] = "is required"
    if not isinstance(meeting_on, date):
        errors["meeting_on"] = "is required"
    if window_months not in WINDOWS:
        errors["window_months"] = f"choose {', '.join(map(str, WINDOWS))} months"
    ids = sorted({int(a) for a in area_ids or ()})
    if not ids:
        errors["areas"] = "choose at least one sector from the ranking"
    elif len(ids) > MAX_AREAS:
        errors["areas"] = f"choose at most {MAX_AREAS} sectors"
    if errors:
        raise ValidationError(errors)
    return ids


def _sectors(user, ids: list[int]) -> list[Area]:
    """The selected sectors, with the area page's access (access_area): any other id is refused."""
    found = {a.pk: a for a in Area.objects.filter(pk__in=ids, level=Level.SECTOR)} if can_see_rankings(user) else {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({"areas": f"no such sector: {', '.join(map(str, missing))}"})
    return [found[i] for i in ids]


def _dominant(user, area: Area, row: RankingRow, ranked: Ranking, top) -> dict | None:
    """The dominant item in words as the preparer may see it (the area page's words), and the words for
    a viewer who may not see it (the record not granted, the nominal withheld)."""
    if not row.dominant:
        return None
    if row.dominant == "record":
        return {"kind": "record", "words": dominant_item(user=user, area=area, row=row, ranking=ranked, top=top),
                "withheld": RECORD_NOT_GRANTED}
    found = heaviest_nominals(level=area.level, area_ids=[area.pk], start=ranked.start, end=ranked.end,
                              measures=ranked.measures).get(area.pk)
    if found is None:
        return None
    may_read = user.has_perm("nominals.view_nominal") and (
        not found.is_restricted or user.has_perm("nominals.view_restricted_nominal"))
    withheld = dominant_nominal_words(NOMINAL_WITHHELD, found.months, found.harm)
    return {"kind": "nominal", "restricted": found.is_restricted, "withheld": withheld,
            "words": dominant_nominal_words(f"nominal {found.ref}", found.months, found.harm) if may_read else withheld}


def _area_section(user, area: Area, row: RankingRow, ranked: Ranking, measure_codes) -> dict:
    top = None
    if can_view_records(user, area):
        # The area page's contributing items: those of the active measures unless measures were chosen.
        top = contributing_records(user=user, area_id=area.pk, start=ranked.start, end=ranked.end,
                                   limit=STORED_LIMIT, area=area, measures=ranked.measures if measure_codes else None,
                                   edition=ranked.edition)
    breakdown = [{"code": m.code, "name": m.name, "harm": row.contributions.get(m.code, 0.0),
                  "count": row.counts.get(m.code, 0), "previous_harm": row.previous_contributions.get(m.code, 0.0),
                  "previous_count": row.previous_counts.get(m.code, 0),
                  "change": row.contributions.get(m.code, 0.0) - row.previous_contributions.get(m.code, 0.0)}
                 for m in ranked.measures]
    by_type = [{"type": value, "label": label, "harm": row.harm_by_type.get(value, 0.0),
                "previous_harm": row.previous_harm_by_type.get(value, 0.0)}
               for value, label in Measure.HarmType.choices]
    return {"area_id": area.pk, "code": area.code, "name": area.name, "row": row_json(row),
            "breakdown": breakdown, "by_type": by_type, "breakdown_total": row.breakdown_total,
            "dominant": _dominant(user, area, row, ranked, top),
            "top": None if top is None else [item_json(i) for i in top]}


def _data_as_of() -> dict:
    last = latest_run()
    return {"run_id": last["id"], "finished_at": last["at"] and last["at"].isoformat()}


def pack_snapshot(*, user, area_ids: list[int], window_months: int, end_month: date | None,
                  measure_codes: list[str] | None) -> dict:
    """Everything a pack shows, JSON-safe (no write, no audit of its own: contributing_records audits the
    records it reads)."""
    areas = _sectors(user, area_ids)
    ranked = ranking(user=user, level=Level.SECTOR, end_month=end_month, months=window_months,
                     measure_codes=measure_codes)
    if ranked.end is None or ranked.edition is None:
        raise ValidationError({"window_months": "there are no scores yet to prepare a pack from"})
    rows = {r.area_id: r for r in ranked.rows}
    sections = sorted((_area_section(user, a, rows[a.pk], ranked, measure_codes) for a in areas),
                      key=lambda s: (s["row"]["rank"], s["name"]))
    return json_safe({
        "version": SNAPSHOT_VERSION,
        "data_as_of": _data_as_of(),
        "edition": {"id": ranked.edition.pk, "code": ranked.edition.code, "label": ranked.edition.label},
        "measures": [{"code": m.code, "name": m.name, "harm_type": m.harm_type} for m in ranked.measures],
        "measure_codes": measure_codes,  # None: the active measures of the day
        "window": {"months": window_months, "start": ranked.start.isoformat(), "end": ranked.end.isoformat(),
                   "previous_start": ranked.previous_start.isoformat(),
                   "previous_end": ranked.previous_end.isoformat(), "end_chosen": end_month is not None},
        "level": Level.SECTOR,
        "force_harm": ranked.force_harm, "outside_harm": ranked.outside_harm,
        "ranking": [row_json(r) for r in ranked.rows],
        "areas": sections,
    })


def pack_prepare(*, user, title: str, meeting_on: date, area_ids, window_months: int, end_month: date | None = None,
                 measure_codes: list[str] | None = None, notes: str = "") -> TaskingPack:
    """Freeze what the meeting will see. 404 for a user who may not prepare packs; ValidationError for bad input."""
    if not can_prepare_pack(user):
        raise Http404("No such page")
    ids = _validate(title=title, meeting_on=meeting_on, area_ids=area_ids, window_months=window_months)
    codes = sorted(set(measure_codes)) if measure_codes else None
    with transaction.atomic():
        snapshot = pack_snapshot(user=user, area_ids=ids, window_months=window_months,
                                 end_month=end_month.replace(day=1) if end_month else None, measure_codes=codes)
        pack = TaskingPack.objects.create(
            title=title.strip(), meeting_on=meeting_on, prepared_at=timezone.now(), prepared_by=user,
            run_id=snapshot["data_as_of"]["run_id"], edition_id=snapshot["edition"]["id"],
            window_months=window_months, snapshot=snapshot, notes=notes)
        pack.areas.set(ids)
        audit_record(user=user, action=AuditEvent.Action.ADMIN_CHANGE, object_type="tasking_pack", object_id=pack.pk,
                     detail={"operation": "prepare", "title": pack.title, "areas": ids,
                             "window": snapshot["window"], "measures": codes, "run": pack.run_id,
                             "records": [i["id"] for s in snapshot["areas"] for i in (s["top"] or [])
                                         if i["item_type"] == "record"]})
    return pack
