"""The activity register's pages: an analyst records an activity and finds it where officers look."""
from datetime import date

from core.models import AuditEvent, Organisation
from nominals.models import Group
from tasking.models import Activity
from tests.factories import ActivityFactory


def _post(client, world, **overrides):
    data = {"ref": "OP-PAGE-1", "kind": "warrant", "title": "Warrant at a supply address",
            "started_on": "2024-11-05", "ended_on": "2024-11-05",
            "organisation": Organisation.objects.get(code="force").pk, "areas": [world.sectors["S2"].pk],
            "groups": [Group.objects.first().pk], **overrides}
    return client.post("/activities/new/", data)


def test_an_analyst_records_an_activity_seen_on_the_register_sector_and_group(world, analyst, login):
    client = login(analyst)
    response = _post(client, world)
    activity = Activity.objects.get(ref="OP-PAGE-1")
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    assert list(activity.areas.all()) == [world.sectors["S2"]]
    assert AuditEvent.objects.filter(object_type="activity", object_id=str(activity.pk)).exists()
    assert "OP-PAGE-1" in client.get("/activities/").content.decode()
    sector = client.get(f"/sectors/{world.sectors['S2'].pk}/")
    assert [a.ref for a in sector.context["activities"]] == ["OP-PAGE-1"]
    assert "OP-PAGE-1" in sector.content.decode()
    other = client.get(f"/sectors/{world.sectors['S3'].pk}/")
    assert other.context["activities"] == []
    group = client.get(f"/nominals/groups/{Group.objects.first().pk}/")
    assert [a.ref for a in group.context["activities"]] == ["OP-PAGE-1"]


def test_it_says_which_field_is_wrong_and_saves_nothing(world, analyst, login):
    response = _post(login(analyst), world, ended_on="2024-11-01")  # before the start
    assert response.status_code == 200 and response.context["form"].errors
    assert not Activity.objects.filter(ref="OP-PAGE-1").exists()


def test_an_officer_sees_activities_on_the_sector_page_but_cannot_record_one(world, officer, login):
    ActivityFactory(ref="OP-SEEN", areas=[world.sectors["S1"]], started_on=date(2024, 6, 1),
                    ended_on=date(2024, 6, 30))
    client = login(officer)
    assert client.get("/activities/new/").status_code == 404
    assert [a.ref for a in client.get(f"/sectors/{world.sectors['S1'].pk}/").context["activities"]] == ["OP-SEEN"]
