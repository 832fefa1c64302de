from datetime import date

from api.throttles import AuditedScopedRateThrottle
from core.models import AuditEvent
from nominals.services import nominal_access_grant
from pages.selectors.nominals import nominal_profile

from api.tests.conftest import WINDOW


def _refs(body) -> list[str]:
    return [n["ref"] for n in body["results"]]


def test_it_searches_the_nominals_one_may_research(client, analyst, administrator, research,
                                                    django_assert_max_num_queries):
    client.force_login(analyst)
    client.get("/api/nominals/", {"q": "x"})  # warms what is read once per process (the throttle's cache)
    # Session, user, permissions (2), the restricted grants, the count, the page, the audit event (3).
    with django_assert_max_num_queries(10):
        body = client.get("/api/nominals/", {"q": "m"}).json()
    assert _refs(body) == ["N0", "N1", "U"] and body["count"] == 3  # not "Restricted Person"
    assert body["results"][0]["groups"] == 1 and body["results"][0]["url"].endswith(
        f"/api/nominals/{research.people['N0'].pk}/")
    assert _refs(client.get("/api/nominals/", {"q": "restricted"}).json()) == []
    nominal_access_grant(user=analyst, nominal=research.people["R"], granted_by=administrator)
    assert _refs(client.get("/api/nominals/", {"q": "restricted"}).json()) == ["R"]
    assert client.get("/api/nominals/").json()["count"] == 4


def test_it_pages_the_search_and_audits_every_response(client, analyst, research):
    client.force_login(analyst)
    second = client.get("/api/nominals/", {"limit": 2, "offset": 2}).json()
    assert second["count"] == 3 and _refs(second) == ["U"] and second["next"] is None
    client.get("/api/nominals/", {"q": "Nominal"})
    events = list(AuditEvent.objects.filter(object_type="nominal_search").order_by("id"))
    assert [e.detail["query"] for e in events] == ["", "Nominal"] and all(e.detail["api"] for e in events)
    assert events[0].detail["offset"] == "2" and events[0].user == analyst


def test_it_throttles_searches_and_audits_the_refusal(client, analyst, research, monkeypatch):
    rates = AuditedScopedRateThrottle.THROTTLE_RATES
    monkeypatch.setattr(AuditedScopedRateThrottle, "THROTTLE_RATES", {**rates, "nominal_search": "2/minute"})
    client.force_login(analyst)
    assert [client.get("/api/nominals/", {"q": "N"}).status_code for _ in range(3)] == [200, 200, 429]
    refusal = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, object_type="api_throttle")
    assert refusal.object_id == "nominal_search" and refusal.user == analyst and refusal.detail["status"] == 429
    assert client.get(f"/api/nominals/{research.people['N0'].pk}/").status_code == 200  # a profile is not a search


def test_it_profiles_a_nominal_with_the_page_s_figures(client, analyst, research):
    client.force_login(analyst)
    n0 = research.people["N0"]
    body = client.get(f"/api/nominals/{n0.pk}/", WINDOW).json()
    profile = nominal_profile(user=analyst, nominal_id=n0.pk, start=date(2024, 1, 1), end=date(2024, 12, 1))
    assert body["harm_total"] == profile.harm_total > 0 and len(body["records"]) == len(profile.records) == 6
    assert [(m["month"], m["harm"]) for m in body["monthly"]] == [(str(m), h) for m, h, _ in profile.monthly]
    assert {k: body["window"][k] for k in ("records", "harm", "count")} == {
        k: profile.window[k] for k in ("records", "harm", "count")}
    assert body["window"]["records"] == 5  # 2024's: the 2023 record is outside the window
    assert [a["ref"] for a in body["associates"]] == ["N1", "U"]  # R shares two records, but is not shown
    assert [m["ref"] for m in body["memberships"]] == ["G1"]
    records = client.get(body["window"]["records_url"]).json()
    assert records["count"] == 5


def test_it_hides_a_restricted_nominal_until_granted_and_audits_each_read(client, analyst, administrator, research):
    client.force_login(analyst)
    path = f"/api/nominals/{research.people['R'].pk}/"
    assert client.get(path).status_code == 404 and client.get(path, {"months": 7}).status_code == 404
    assert client.get("/api/nominals/999999/").status_code == 404
    assert not AuditEvent.objects.filter(object_type="nominal").exists()
    nominal_access_grant(user=analyst, nominal=research.people["R"], granted_by=administrator)
    body = client.get(path, WINDOW).json()
    assert body["is_restricted"] and [a["ref"] for a in body["associates"]] == ["N0"]
    event = AuditEvent.objects.get(object_type="nominal", action="view")
    assert event.object_id == str(research.people["R"].pk) and event.detail["api"] and event.user == analyst
