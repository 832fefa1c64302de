"""Preparing tasking packs (frozen however the data changes), comparing them with today, and their actions."""
import copy
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from core.models import AuditEvent, Organisation
from nominals.models import Group
from records.models import Record, RecordKind
from records.permissions import area_records_grant
from scoring.selectors.ranking import ranking
from scoring.services import scores_recompute
from tasking.since import since_rows, top_changes, top_ids
from tasking.models import Action, ActionStatus, TaskingPack
from tasking.selectors.packs import open_actions, pack_since, pack_view, packs_list
from tasking.services.actions import action_create, action_update
from tasking.services.packs import pack_prepare
from tests.factories import ActivityFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db
DRUG_SUPPLY_WEIGHT = 512.96  # the world's weight of offence 92A


@pytest.fixture
def world(db):
    return build_world()


def _prepare(user, world, codes=("S2", "S1"), **overrides):
    kwargs = dict(user=user, title="December tasking", meeting_on=date(2025, 1, 6),
                  area_ids=[world.sectors[c].pk for c in codes], window_months=12)
    return pack_prepare(**{**kwargs, **overrides})


def _add_crimes(world, code: str, how_many: int, month=date(2024, 11, 1)) -> None:
    sector = world.sectors[code]
    hood = next(h for h in world.neighbourhoods if h.parent_id == sector.id)
    Record.objects.bulk_create([Record(
        force=world.force, kind=RecordKind.CRIME, source="force", external_ref=f"NEW-{code}-{i}",
        occurred_on=month.replace(day=12), month=month, lat=sector.min_lat + 0.02, lon=hood.min_lon + 0.02,
        area=hood, sector=sector, command=sector.parent, offence_type=world.offences["92A"], drug_supply=True)
        for i in range(how_many)])
    scores_recompute()


def _row(view_or_rows, code):
    rows = view_or_rows["ranking"] if isinstance(view_or_rows, dict) else view_or_rows
    return next(r for r in rows if r["area_code"] == code)


def test_it_freezes_the_ranking_and_the_selected_sectors_as_the_ranking_gave_them(world, analyst):
    pack = _prepare(analyst, world)
    live = ranking(user=analyst, months=12)
    view = pack_view(user=analyst, pack=pack)
    assert [(r["area_code"], r["rank"]) for r in view["ranking"]] == [(r.area_code, r.rank) for r in live.rows]
    s2 = _row(view, "S2")
    # S2's 2024 drug supply: 20 records of offence 92A, each its CSS weight.
    assert s2["contributions"]["drug-supply"] == pytest.approx(20 * DRUG_SUPPLY_WEIGHT)
    assert s2["counts"]["drug-supply"] == 20 and s2["rank"] == 1 and s2["selected"]
    assert not _row(view, "S3")["selected"]
    assert [a["code"] for a in view["areas"]] == ["S2", "S1"]  # in rank order
    assert view["window"]["start"] == date(2024, 1, 1) and view["window"]["end"] == date(2024, 12, 1)
    assert view["edition"]["code"] == "test-css" and view["data_as_of"]["run_id"] is not None
    top = view["areas"][0]["top"]
    assert top and top[0].harm == max(i.harm for i in top)
    assert json.loads(json.dumps(pack.snapshot)) == pack.snapshot  # JSON through and through
    assert set(pack.areas.values_list("code", flat=True)) == {"S1", "S2"}
    event = AuditEvent.objects.get(object_type="tasking_pack", object_id=str(pack.pk))
    assert event.detail["operation"] == "prepare" and event.detail["records"]


def test_the_pack_shows_what_the_meeting_saw_after_the_data_changed(world, analyst):
    pack = _prepare(analyst, world)
    frozen = copy.deepcopy(pack.snapshot)
    before = pack_view(user=analyst, pack=pack)
    _add_crimes(world, "S3", 40)  # S3 overtakes S2
    assert ranking(user=analyst, months=12).rows[0].area_code == "S3"
    pack = TaskingPack.objects.get(pk=pack.pk)
    after = pack_view(user=analyst, pack=pack)
    assert pack.snapshot == frozen
    assert after["ranking"] == before["ranking"] and _row(after, "S2")["rank"] == 1
    assert [a["row"] for a in after["areas"]] == [a["row"] for a in before["areas"]]


def test_since_compares_each_selected_sector_then_and_now_and_names_the_top_ten_changes(world, analyst):
    pack = _prepare(analyst, world, codes=("S2", "S3"))
    then_s3 = _row(pack.snapshot["ranking"], "S3")
    _add_crimes(world, "S3", 40)
    since = pack_since(user=analyst, pack=pack)
    s3 = next(r for r in since["rows"] if r["area_code"] == "S3")
    assert s3["then"]["harm"] == then_s3["harm"]
    assert s3["now"]["harm"] == pytest.approx(then_s3["harm"] + 40 * DRUG_SUPPLY_WEIGHT)
    assert s3["harm_moved"] == pytest.approx(40 * DRUG_SUPPLY_WEIGHT)
    assert s3["now"]["rank"] == 1 and s3["rank_moved"] == then_s3["rank"] - 1
    assert since["top"]["entered"] == [] and since["top"]["left"] == []  # four sectors: all in the top ten


def test_since_over_the_same_window_shows_a_late_record_in_the_months_the_meeting_saw(world, analyst):
    pack = _prepare(analyst, world, codes=("S4",))
    then = _row(pack.snapshot["ranking"], "S4")
    _add_crimes(world, "S4", 2, month=date(2024, 3, 1))
    same = pack_since(user=analyst, pack=pack, same_window=True)
    assert same["now_end"] == date(2024, 12, 1)
    assert same["rows"][0]["harm_moved"] == pytest.approx(2 * DRUG_SUPPLY_WEIGHT)
    assert same["rows"][0]["then"]["harm"] == then["harm"]


@pytest.mark.parametrize("then_ranks, now_ranks, entered, left", [
    ({1: 1, 2: 2, 3: 3}, {1: 1, 2: 2, 3: 3}, [], []),
    ({1: 1, 2: 2, 3: 3}, {1: 3, 2: 2, 3: 1}, [3], [1]),
    ({1: 1, 2: 2, 3: 2}, {1: 1, 2: 2, 3: 3}, [], [3]),  # a shared second place keeps both
])
def test_top_changes_of_two_rankings(then_ranks, now_ranks, entered, left):
    def rows(ranks):
        return [{"area_id": a, "area_name": f"A{a}", "area_code": f"A{a}", "rank": r, "harm": 10.0 - r}
                for a, r in ranks.items()]
    changes = top_changes(rows(then_ranks), rows(now_ranks), n=2)
    assert [c["now"]["area_id"] for c in changes["entered"]] == entered
    assert [c["then"]["area_id"] for c in changes["left"]] == left


def test_top_ids_leaves_out_areas_without_harm_and_since_rows_handles_a_new_area():
    assert top_ids([{"area_id": 1, "area_name": "A", "rank": 1, "harm": 0.0}]) == []
    out = since_rows([], [{"area_id": 5, "area_code": "S5", "area_name": "New", "rank": 1, "harm": 3.0}], [5])
    assert out[0]["then"] is None and out[0]["rank_moved"] is None and out[0]["area_name"] == "New"


def test_it_refuses_who_may_not_prepare_and_areas_that_are_not_sectors(world, analyst, officer, governance):
    for user in (officer, governance):
        with pytest.raises(Http404):
            _prepare(user, world)
    with pytest.raises(ValidationError) as caught:
        pack_prepare(user=analyst, title="x", meeting_on=date(2025, 1, 6), area_ids=[world.commands[0].pk, 999999],
                     window_months=12)
    assert "areas" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _prepare(analyst, world, title=" ", window_months=5, area_ids=[])
    assert {"title", "window_months", "areas"} <= set(caught.value.message_dict)
    assert not TaskingPack.objects.exists()


def test_an_officer_sees_the_pack_without_the_records_of_sectors_not_granted(world, analyst, officer):
    pack = _prepare(analyst, world)
    view = pack_view(user=officer, pack=pack)
    assert all(a["top"] is None and not a["records_allowed"] for a in view["areas"])
    assert _row(view, "S2")["harm"] == _row(pack_view(user=analyst, pack=pack), "S2")["harm"]
    area_records_grant(user=officer, area=world.sectors["S2"], granted_by=analyst)
    granted = pack_view(user=officer, pack=pack)
    assert [a["code"] for a in granted["areas"] if a["top"]] == ["S2"]
    # The world's OCG members are nominals: an officer may not read them.
    assert all(i.ref == "withheld" for i in granted["areas"][0]["top"] if i.item_type == "nominal")


def test_packs_list_counts_open_actions_and_nobody_else_sees_packs(world, analyst, officer, partner_a,
                                                                  django_assert_num_queries):
    pack = _prepare(analyst, world)
    force = Organisation.objects.get(code="force")
    for status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        action_create(user=analyst, pack=pack, description=f"{status} action", due_on=date(2025, 2, 1),
                      area=world.sectors["S2"], owner_organisation=force, status=status)
    officer.has_perm("tasking.view_taskingpack")  # the permissions, read once per request
    with django_assert_num_queries(1):
        listed = [(p.title, p.open_actions, p.prepared_by.username) for p in packs_list(user=officer)]
    assert listed == [("December tasking", 2, "analyst")]
    assert not packs_list(user=partner_a).exists()


def test_actions_are_created_updated_and_listed_by_owner_and_sector(world, analyst, officer):
    pack = _prepare(analyst, world)
    activity = ActivityFactory(areas=[world.sectors["S2"]])
    on_s2 = action_create(user=analyst, pack=pack, description="Warrants at supply addresses",
                          due_on=date(2025, 2, 1), area=world.sectors["S2"], owner=officer, activities=[activity])
    on_group = action_create(user=analyst, pack=pack, description="Disrupt G1", due_on=date(2025, 1, 20),
                             group=Group.objects.get(ref="G1"), owner=analyst)
    assert open_actions(user=officer, owner_id=officer.pk) == [on_s2]
    assert open_actions(user=officer, area=world.sectors["S2"]) == [on_s2]
    assert open_actions(user=officer, area=world.commands[0]) == [on_s2]  # the sector is in the command
    assert open_actions(user=officer, area=world.sectors["S1"]) == []
    assert open_actions(user=officer) == [on_group, on_s2]  # due first
    updated = action_update(user=officer, action=on_s2, status=ActionStatus.DONE, due_on=date(2025, 2, 3),
                            owner=officer, activities=[])
    assert (updated.status, updated.due_on, list(updated.activities.all())) == ("done", date(2025, 2, 3), [])
    assert open_actions(user=officer, owner_id=officer.pk) == []
    events = AuditEvent.objects.filter(object_type="tasking_action", object_id=str(on_s2.pk)).order_by("id")
    assert [e.detail["operation"] for e in events] == ["create", "update"]
    assert events[1].detail["changed"] == {"status": "open", "due_on": "2025-02-01"}


def test_an_action_needs_a_target_and_an_owner_who_could_see_it(world, analyst, partner_a):
    pack = _prepare(analyst, world)
    with pytest.raises(ValidationError) as caught:
        action_create(user=analyst, pack=pack, description="", due_on=date(2025, 2, 1))
    assert {"description", "area", "owner"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        action_create(user=analyst, pack=pack, description="x", due_on=date(2025, 2, 1),
                      area=world.sectors["S1"], owner=partner_a)
    assert "cannot see tasking packs" in caught.value.message_dict["owner"][0]
    assert not Action.objects.exists()
