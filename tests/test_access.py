"""Who may open what: every route of the portal, for each member of the cast, with GET and POST.

Generated from the URL resolver, so a new route fails this test until it is given its audience
below. A user who may not see a page gets 404 whatever the method (never 403, never 405: either
would confirm that it exists); a user who may see it gets the page, or 405 for a method it does
not take. The Django admin has its own permissions and is left out, as are login, logout and the
health check, which are the same for everyone.
"""
import io
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AuditEvent, Organisation
from ingestion.models import Upload
from ingestion.services import upload_create
from nominals.models import Group, Nominal
from scoring.models import ScoringRun
from tasking.models import TaskingPack
from tasking.services.actions import action_create
from tasking.services.packs import pack_snapshot
from tests.factories import ActivityFactory, csv_bytes
from tests.world import build_world

EVERYONE = {"analyst", "officer", "partner_a", "partner_b", "governance", "administrator", "outsider"}
RANKINGS = {"analyst", "officer"}
ACTIVITIES = {"analyst", "officer", "governance"}
PACKS = {"analyst", "officer", "governance"}
EXPORT_PACK = {"analyst", "governance"}
IMPACT = {"analyst", "governance"}

# route -> (who may open it, the methods it takes)
AUDIENCE = {
    "": (EVERYONE, {"GET"}),
    "audit/": ({"governance"}, {"GET"}),
    "audit/export.csv": ({"governance"}, {"GET"}),
    "api/": (RANKINGS | ACTIVITIES | PACKS | {"partner_a", "partner_b"}, {"GET"}),  # partners: the uploads
    "api/areas/": (RANKINGS, {"GET"}),
    "api/areas/geojson/": (RANKINGS, {"GET"}),
    "api/areas/<int:area_id>/series/": (RANKINGS, {"GET"}),
    "api/rankings/": (RANKINGS, {"GET"}),
    "api/records/": ({"analyst"}, {"GET"}),  # the force's records by default: officers read granted sectors
    "api/uploads/": ({"analyst", "partner_a", "partner_b"}, {"GET", "POST"}),
    "api/uploads/<int:upload_id>/": ({"analyst", "partner_a"}, {"GET"}),
    "api/activities/": (ACTIVITIES, {"GET"}),
    "api/groups/<int:group_id>/footprint/": ({"analyst"}, {"GET"}),
    "api/packs/": (PACKS, {"GET"}),
    "api/packs/<int:pack_id>/": (PACKS, {"GET"}),
    "api/groups/": ({"analyst"}, {"GET"}),  # the research pages' audience (can_research)
    "api/groups/<int:group_id>/": ({"analyst"}, {"GET"}),
    "api/nominals/": ({"analyst"}, {"GET"}),
    "api/nominals/<int:nominal_id>/": ({"analyst"}, {"GET"}),
    "api/network/": ({"analyst"}, {"GET"}),
    "api/measures/": (RANKINGS, {"GET"}),
    "api/editions/": (RANKINGS, {"GET"}),
    "api/schema/": (RANKINGS, {"GET"}),
    "api/docs/": (RANKINGS, {"GET"}),
    "sectors/": (RANKINGS, {"GET"}),
    "sectors/export.csv": (RANKINGS, {"GET"}),
    "sectors/<int:area_id>/": (RANKINGS, {"GET"}),
    "sectors/<int:area_id>/records.csv": ({"analyst"}, {"GET"}),
    "sectors/<int:area_id>/records.geojson": ({"analyst"}, {"GET"}),
    "themes/": (RANKINGS, {"GET"}),
    "themes/<slug:slug>/": (RANKINGS, {"GET"}),
    "themes/<slug:slug>/export.csv": (RANKINGS, {"GET"}),
    "method/": (RANKINGS, {"GET"}),
    "demand/": ({"analyst"}, {"GET"}),
    "demand/export.csv": ({"analyst"}, {"GET"}),
    "demand/export.xlsx": ({"analyst"}, {"GET"}),
    "scoring/runs/<int:run_id>/retry/": ({"analyst", "administrator"}, {"POST"}),
    "nominals/groups/": ({"analyst"}, {"GET"}),
    "nominals/groups/<int:group_id>/": ({"analyst"}, {"GET"}),
    "nominals/<int:nominal_id>/": ({"analyst"}, {"GET"}),
    "nominals/network/": ({"analyst"}, {"GET"}),
    "nominals/network/edges.csv": ({"analyst"}, {"GET"}),
    "nominals/network/graph.graphml": ({"analyst"}, {"GET"}),
    "uploads/": ({"analyst", "partner_a", "partner_b"}, {"GET"}),
    "uploads/new/": ({"analyst", "partner_a", "partner_b"}, {"GET", "POST"}),
    # The Coroner's drug-deaths template and upload: the force (analysts) and the Coroner's staff.
    "uploads/templates/<slug:kind>.csv": ({"analyst", "partner_a"}, {"GET"}),
    "uploads/<int:upload_id>/": ({"analyst", "partner_a"}, {"GET"}),
    "uploads/<int:upload_id>/status.json": ({"analyst", "partner_a"}, {"GET"}),
    "uploads/<int:upload_id>/process-again/": ({"analyst", "partner_a"}, {"POST"}),
    "uploads/<int:upload_id>/report.csv": ({"analyst", "partner_a"}, {"GET"}),
    "uploads/<int:upload_id>/original": ({"analyst", "partner_a"}, {"GET"}),
    "activities/": (ACTIVITIES, {"GET"}),
    "activities/new/": ({"analyst"}, {"GET", "POST"}),
    "activities/<int:activity_id>/": (ACTIVITIES, {"GET"}),
    "activities/<int:activity_id>/edit/": ({"analyst"}, {"GET", "POST"}),
    "tasking/": (PACKS, {"GET"}),
    "tasking/new/": ({"analyst"}, {"GET", "POST"}),
    "tasking/actions/": (PACKS, {"GET"}),
    # The action's owner (the officer) may update it, as may whoever holds CHANGE_ACTIONS (analysts).
    "tasking/actions/<int:action_id>/edit/": ({"analyst", "officer"}, {"GET", "POST"}),
    "tasking/<int:pack_id>/": (PACKS, {"GET"}),
    "tasking/<int:pack_id>/since/": (PACKS & RANKINGS, {"GET"}),  # it reads today's ranking
    "tasking/<int:pack_id>/actions/new/": ({"analyst"}, {"GET", "POST"}),
    "tasking/<int:pack_id>/export.pdf": (EXPORT_PACK, {"GET"}),
    "tasking/<int:pack_id>/export.xlsx": (EXPORT_PACK, {"GET"}),
    "activities/<int:activity_id>/impact/": (IMPACT, {"GET"}),
    "impact/": (IMPACT, {"GET"}),
    "impact/referrals/": (IMPACT, {"GET"}),
    "impact/export.csv": (IMPACT, {"GET"}),
}
SAME_FOR_EVERYONE = {"healthz", "accounts/login/", "accounts/logout/"}


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def portal_routes() -> list[str]:
    return sorted({r for r in _routes() if not r.startswith("admin/")} - SAME_FOR_EVERYONE)


def test_it_gives_every_route_of_the_portal_its_audience():
    assert sorted(AUDIENCE) == portal_routes()


def _pack(officer, world, analyst):
    """A pack and an action owned by the officer; the snapshot read as the officer, who may not read the
    records, so that preparing it leaves no view in the audit trail (the last assertion below)."""
    snapshot = pack_snapshot(user=officer, area_ids=[world.sectors["S2"].pk], window_months=12, end_month=None,
                             measure_codes=None)
    pack = TaskingPack.objects.create(title="Access pack", meeting_on=date(2025, 1, 6), prepared_by=analyst,
                                      edition_id=snapshot["edition"]["id"], window_months=12, snapshot=snapshot)
    action = action_create(user=analyst, pack=pack, description="Patrols", due_on=date(2025, 2, 1),
                           area=world.sectors["S2"], owner=officer)
    return pack, action


@pytest.fixture
def objects(db, partner_a, analyst, officer):
    world = build_world()
    deaths = csv_bytes([["reference", "date", "latitude", "longitude", "substances"],
                        ["D1", "2999-01-05", "55.0", "-1.7", "heroin"]])
    upload = upload_create(organisation=Organisation.objects.get(code="coroner"), kind="drug_deaths",
                           fileobj=io.BytesIO(deaths), original_name="d.csv", user=partner_a, dispatch=False)
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.REJECTED)  # so it may be processed again
    activity = ActivityFactory(areas=[world.sectors["S2"]])
    pack, action = _pack(officer, world, analyst)
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED, error="a test failure")
    return {"area_id": world.sectors["S2"].pk, "slug": "drug-supply", "run_id": run.pk,
            "group_id": Group.objects.first().pk, "nominal_id": Nominal.objects.first().pk,
            "upload_id": upload.pk, "kind": "drug_deaths",
            "activity_id": activity.pk, "pack_id": pack.pk, "action_id": action.pk}


def _path(route: str, objects: dict) -> str:
    path = "/" + route
    for name, value in objects.items():
        for converter in ("int", "slug"):
            path = path.replace(f"<{converter}:{name}>", str(value))
    assert "<" not in path, route
    return path


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_it_opens_each_route_to_its_audience_only_with_any_method(client, cast, objects, role):
    client.force_login(cast[role])
    wrong = []
    for route in portal_routes():
        audience, methods = AUDIENCE[route]
        path = _path(route, objects)
        for method in ("GET", "POST"):
            status = getattr(client, method.lower())(path).status_code
            if role not in audience:
                expected = {404}
            elif method not in methods:
                expected = {405}
            elif path.startswith("/api/") and method == "POST":
                expected = {400}  # an empty POST to the API: the fields it lacks, named
            else:
                expected = {200, 302}
            if status not in expected:
                wrong.append(f"{method} {path}: {status}, expected {sorted(expected)}")
    assert wrong == [], role
    if role not in {"analyst", "officer", "partner_a", "governance"}:  # those who may open a record page
        assert not AuditEvent.objects.filter(action__in=["view", "export"]).exists(), role
