from datetime import date

from core.models import AuditEvent
from tasking.models import TaskingPack
from tasking.services.packs import pack_snapshot
from tests.world import build_world


def _pack(world, analyst, title="Pack", meeting_on=date(2025, 1, 6)):
    snapshot = pack_snapshot(user=analyst, area_ids=[world.sectors["S2"].pk], window_months=12, end_month=None,
                             measure_codes=None)
    return TaskingPack.objects.create(title=title, meeting_on=meeting_on, prepared_by=analyst,
                                      edition_id=snapshot["edition"]["id"], window_months=12, snapshot=snapshot)


def test_it_lists_the_packs_latest_meeting_first(client, officer, analyst, db, django_assert_num_queries):
    world = build_world()
    first = _pack(world, analyst, "January", date(2025, 1, 6))
    later = _pack(world, analyst, "March", date(2025, 3, 3))
    client.force_login(officer)
    with django_assert_num_queries(6):  # session, user, permissions (2), count, page
        body = client.get("/api/packs/").json()
    assert [p["id"] for p in body["results"]] == [later.pk, first.pk] and body["count"] == 2
    assert body["results"][0]["prepared_by"] == "analyst" and body["results"][0]["url"].endswith(
        f"/api/packs/{later.pk}/")


def test_it_gives_the_frozen_pack_as_the_viewer_may_see_it(client, officer, analyst, db):
    world = build_world()
    pack = _pack(world, analyst)
    client.force_login(analyst)
    seen = client.get(f"/api/packs/{pack.pk}/").json()
    area = seen["areas"][0]
    assert area["area_id"] == world.sectors["S2"].pk and area["records_allowed"] and area["top"]
    assert seen["ranking"] == [{**r, "selected": r["area_id"] == area["area_id"]} for r in pack.snapshot["ranking"]]
    event = AuditEvent.objects.filter(object_type="tasking_pack").latest("id")
    assert event.user == analyst and event.detail["records"] == [i["id"] for i in area["top"]
                                                                 if i["item_type"] == "record"]
    client.force_login(officer)  # not granted S2's records: the frozen top items are not shown
    withheld = client.get(f"/api/packs/{pack.pk}/").json()["areas"][0]
    assert withheld["top"] is None and not withheld["records_allowed"]
    assert client.get("/api/packs/999999/").status_code == 404
