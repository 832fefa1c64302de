"""GET /api/groups/<id>/footprint/: the group page's footprint, for those who may research the group."""
import pytest

from core.models import AuditEvent
from tests.footprint_world import build_footprint

WINDOW = {"end": "2023-03", "months": 3}


@pytest.fixture
def world(db):
    return build_footprint()


def _url(world) -> str:
    return f"/api/groups/{world.group.pk}/footprint/"


def test_it_gives_the_pages_figures(client, analyst, world):
    client.force_login(analyst)
    page = client.get(f"/nominals/groups/{world.group.pk}/", WINDOW).context["p"].window
    body = client.get(_url(world), WINDOW).json()
    assert (body["start"], body["end"], body["months"]) == ("2023-01-01", "2023-03-01", 3)
    assert (body["harm"], body["records"], body["linked"]) == (page["harm"], page["counted"], page["linked"])
    assert body["harm"] == pytest.approx(2200.0)
    assert [(s["rank"], s["sector_name"], s["records"], s["harm"], s["share"]) for s in body["sectors"]] == [
        (s["rank"], s["sector__name"], s["n"], s["harm"], s["share"]) for s in page["footprint"]]
    assert body["points"]["points"] == page["points"]["points"] and len(body["points"]["points"]) == 5
    assert body["home_sectors"] == page["homes"]
    codes = [m.code for m in page["by_measure"]["measures"]]
    assert body["measures"] == codes
    for month, row in zip(body["by_month"], page["by_measure"]["rows"], strict=True):
        assert month["month"] == row["month"].isoformat()
        assert month["soc"] == {"harm": row["soc"]["harm"], "records": row["soc"]["records"]}
        assert month["measures"] == {code: {"harm": c["harm"], "records": c["records"]}
                                     for code, c in zip(codes, row["measures"], strict=True)}
    assert sum(m["soc"]["harm"] for m in body["by_month"]) == pytest.approx(body["harm"])


def test_it_audits_each_read_as_a_view_of_the_group(client, analyst, world):
    client.force_login(analyst)
    client.get(_url(world), WINDOW)
    event = AuditEvent.objects.filter(object_type="group", object_id=str(world.group.pk)).latest("id")
    assert (event.action, event.username, event.detail) == ("view", "analyst", {"api": True, "footprint": True})


@pytest.mark.parametrize("role", ["officer", "governance", "partner_a", "outsider"])
def test_it_is_not_found_for_those_who_may_not_research(client, cast, world, role):
    client.force_login(cast[role])
    assert client.get(_url(world), WINDOW).status_code == 404
    assert client.post(_url(world)).status_code == 404
    assert not AuditEvent.objects.filter(object_type="group").exists()


def test_an_unknown_group_is_not_found_either(client, analyst, world):
    client.force_login(analyst)
    assert client.get(f"/api/groups/{world.group.pk + 100}/footprint/").status_code == 404


def test_it_explains_a_bad_window(client, analyst, world):
    client.force_login(analyst)
    response = client.get(_url(world), {"end": "2023-13", "months": 5})
    assert response.status_code == 400 and set(response.json()) == {"end", "months"}


def test_it_reads_the_default_window(client, analyst, world):
    client.force_login(analyst)
    body = client.get(_url(world)).json()
    assert body["end"] == "2023-03-01" and body["months"] == 12  # the latest month with scores
    assert body["harm"] == pytest.approx(2200.0 + 500.0)  # December 2022's drug supply crime too
