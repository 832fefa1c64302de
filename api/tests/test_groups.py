from datetime import date

from core.models import AuditEvent
from nominals.services import nominal_access_grant
from pages.selectors.nominals import group_profile, groups_list

from api.tests.conftest import WINDOW

YEAR = {"start": date(2024, 1, 1), "end": date(2024, 12, 1)}


def test_it_lists_the_groups_with_the_page_s_figures(client, analyst, research, django_assert_max_num_queries):
    client.force_login(analyst)
    client.get("/api/groups/", WINDOW)  # warms what is read once per process (content types)
    # Session, user, permissions (2), the window's end, groups, the force, the group harms (2), the page's count
    # is the list's length (no query).
    with django_assert_max_num_queries(10):
        body = client.get("/api/groups/", WINDOW).json()
    expected = groups_list(user=analyst, **YEAR)
    assert [(g["ref"], g["members"], g["former"], g["records"], g["harm"], g["rank"]) for g in body["results"]] == [
        (g.ref, g.members, g.former, g.records, g.harm, g.rank) for g in expected]
    first = body["results"][0]
    # A restricted member the viewer is not granted is neither named nor counted as a member; the records
    # linked to members (R's among them) are the group's harm, as on the page.
    assert (first["ref"], first["records"], first["members"]) == ("G1", 6, 2)
    assert first["harm"] > body["results"][1]["harm"] > 0 and first["url"].endswith(f"/api/groups/{research.ocg.pk}/")


def test_it_counts_a_restricted_member_only_for_a_user_granted_them(client, analyst, administrator, research):
    client.force_login(analyst)
    members = lambda: {g["ref"]: g["members"] for g in client.get("/api/groups/", WINDOW).json()["results"]}
    assert members()["G1"] == 2
    nominal_access_grant(user=analyst, nominal=research.people["R"], granted_by=administrator)
    assert members()["G1"] == 3


def test_it_filters_sorts_and_pages_as_the_page_does(client, analyst, research):
    client.force_login(analyst)
    assert [g["ref"] for g in client.get("/api/groups/", {**WINDOW, "type": "ucg"}).json()["results"]] == ["G2"]
    by_name = client.get("/api/groups/", {**WINDOW, "sort": "name", "limit": 1}).json()
    assert by_name["count"] == 2 and [g["name"] for g in by_name["results"]] == ["Street crew"]
    assert "offset=1" in by_name["next"] and by_name["previous"] is None
    assert client.get("/api/groups/", {"type": "gang"}).status_code == 400
    assert client.get("/api/groups/", {"months": 7}).status_code == 400


def test_it_profiles_a_group_as_the_viewer_may_see_it(client, analyst, administrator, research):
    client.force_login(analyst)
    path = f"/api/groups/{research.ocg.pk}/"
    body = client.get(path, WINDOW).json()
    profile = group_profile(user=analyst, group_id=research.ocg.pk, **YEAR)
    assert sorted(m["ref"] for m in body["members"]) == ["N0", "N1"] and "hidden_members" not in body
    assert "Restricted Person" not in str(body)
    assert body["harm_total"] == profile.harm_total and body["crime_count"] == profile.crime_count == 7  # and 2023
    assert body["window"]["counted"] == profile.window["counted"] == 6
    assert body["window"]["harm"] == profile.window["harm"] > 0
    assert [(m["month"], m["harm"]) for m in body["monthly"]] == [(str(m), h) for m, h, _ in profile.monthly]
    assert sorted(c["external_ref"] for c in body["top_crimes"]) == sorted(r.external_ref for r in profile.crimes)
    records = client.get(body["window"]["records_url"]).json()  # the records behind the window's harm
    assert records["count"] == 6 and sum(r["harm"] for r in records["results"]) == body["window"]["harm"]
    nominal_access_grant(user=analyst, nominal=research.people["R"], granted_by=administrator)
    granted = client.get(path, WINDOW).json()
    assert sorted(m["ref"] for m in granted["members"]) == ["N0", "N1", "R"]


def test_it_audits_each_read_of_a_group_and_hides_a_missing_one(client, analyst, officer, research):
    client.force_login(analyst)
    client.get(f"/api/groups/{research.ucg.pk}/", WINDOW)
    event = AuditEvent.objects.filter(object_type="group").latest("id")
    assert (event.action, event.object_id, event.user) == ("view", str(research.ucg.pk), analyst)
    assert event.detail["api"] and event.detail["params"] == {"end": ["2024-12"], "months": ["12"]}
    assert client.get("/api/groups/999999/").status_code == 404
    assert client.get("/api/groups/999999/", {"months": 7}).status_code == 404  # not found before a bad parameter
    client.force_login(officer)  # may not research groups
    assert client.get(f"/api/groups/{research.ucg.pk}/").status_code == 404
    assert AuditEvent.objects.filter(object_type="group").count() == 1
