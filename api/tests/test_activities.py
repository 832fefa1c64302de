from datetime import date

from sectors.models import Level
from tasking.models import ActivityKind
from tests import factories as f


def test_it_lists_the_register_newest_first_with_its_filters(client, governance, db, django_assert_num_queries):
    force = f.AreaFactory(level=Level.FORCE, code="F", parent=None)
    command = f.AreaFactory(level=Level.COMMAND, code="C", parent=force)
    north = f.AreaFactory(level=Level.SECTOR, code="S1", parent=command)
    south = f.AreaFactory(level=Level.SECTOR, code="S2", parent=command)
    old = f.ActivityFactory(ref="OLD", areas=[north], started_on=date(2023, 1, 2), ended_on=date(2023, 1, 9))
    new = f.ActivityFactory(ref="NEW", areas=[south], started_on=date(2023, 5, 2), ended_on=date(2023, 5, 2),
                            kind=ActivityKind.OPERATION)
    for i in range(5):
        f.ActivityFactory(ref=f"MORE{i}", areas=[south, north], started_on=date(2022, 1, 1 + i),
                          ended_on=date(2022, 2, 1))
    client.force_login(governance)
    with django_assert_num_queries(7):  # session, user, permissions (2), count, page, areas: whatever the page
        body = client.get("/api/activities/").json()
    assert body["count"] == 7 and [a["ref"] for a in body["results"][:2]] == [new.ref, old.ref]
    assert body["results"][0]["areas"] == [{"id": south.pk, "code": "S2", "name": south.name, "level": 2}]
    assert body["results"][0]["organisation"] == "force"
    on_north = client.get("/api/activities/", {"area": north.pk, "start": "2023-01-01"}).json()
    assert [a["ref"] for a in on_north["results"]] == ["OLD"]
    assert client.get("/api/activities/", {"start": "not a day"}).status_code == 400
    assert "groups" not in body["results"][0] and "nominals" not in body["results"][0]
