"""The audit trail in words: objects named and linked, detail as fields, questions asked by object and by user."""
import csv
import io

import pytest
from django.contrib.auth.models import Group as Role

from core import roles
from core.audit import audit_record
from core.models import AuditEvent
from nominals.models import Group, Nominal


@pytest.fixture
def events(world, analyst, officer):
    nominal = Nominal.objects.get(ref="N0")
    sector = world.sectors["S2"]
    audit_record(user=analyst, action="view", object_type="nominal", object_id=nominal.pk)
    audit_record(user=analyst, action="view", object_type="area_records", object_id=sector.pk,
                 detail={"params": {"months": ["12"], "end": ["2024-12"]}, "page": 1})
    audit_record(user=officer, action="export", object_type="area_records", object_id=sector.pk,
                 detail={"format": "csv", "records": list(range(20))})
    audit_record(user=officer, action="view", object_type="nominal", object_id=Nominal.objects.get(ref="N1").pk)
    return {"nominal": nominal, "sector": sector}


def _rows(export):
    return list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))


def test_it_names_and_links_each_object_and_shows_the_detail_as_fields(login, governance, events):
    html = login(governance).get("/audit/").content.decode()
    nominal, sector = events["nominal"], events["sector"]
    assert f'href="?object_type=nominal&amp;object_id={nominal.pk}"' in html and ">nominal N0</a>" in html
    assert f'href="?object_type=area&amp;object_id={sector.pk}"' in html and ">records of Sector 2 (sector)</a>" in html
    assert 'href="?username=officer"' in html
    assert "<dt>months</dt><dd>12</dd>" in html and "<dt>end</dt><dd>2024-12</dd>" in html
    assert "<dd>0, 1, 2, 3, 4, 5, 6, 7, … (20 in all)</dd>" in html
    assert "{&#x27;" not in html  # no raw JSON left


def test_it_answers_who_viewed_this_nominal_and_exports_the_answer(login, governance, events):
    client = login(governance)
    nominal = events["nominal"]
    query = {"object_type": "nominal", "object_id": nominal.pk}
    page = client.get("/audit/", query)
    assert page.context["page"].paginator.count == 1
    rows = _rows(client.get("/audit/export.csv", query))
    assert [(r["username"], r["object"]) for r in rows] == [("analyst", "nominal N0")]
    export = AuditEvent.objects.filter(action="export", object_type="audit_trail").get()
    assert export.detail["filters"] == {"object_type": "nominal", "object_id": str(nominal.pk)}


def test_it_answers_who_looked_at_a_sectors_records_and_what_a_user_did(login, governance, events):
    client = login(governance)
    about_sector = _rows(client.get("/audit/export.csv", {"object_type": "area", "object_id": events["sector"].pk}))
    assert sorted(r["username"] for r in about_sector) == ["analyst", "officer"]
    by_officer = _rows(client.get("/audit/export.csv", {"username": "officer"}))
    assert sorted(r["object"] for r in by_officer) == ["nominal N1", "records of Sector 2 (sector)"]


def test_it_keeps_role_permission_changes_out_of_a_groups_trail(login, governance, world):
    group = Group.objects.get(ref="G1")
    # The permissions of the role (a Django group) with the same id changed: not this group's trail.
    audit_record(user=None, username="(system)", action="permission_change", object_type="group",
                 object_id=group.pk, detail={"change": "group.permissions", "action": "post_add", "ids": [1]})
    audit_record(user=None, username="analyst", action="view", object_type="group", object_id=group.pk)
    page = login(governance).get("/audit/", {"object_type": "group", "object_id": group.pk})
    assert [e.action for e in page.context["page"].object_list] == ["view"]


def test_it_names_a_page_of_varied_events_in_a_fixed_number_of_queries(login, governance, events, analyst,
                                                                        django_assert_max_num_queries):
    client = login(governance)
    with django_assert_max_num_queries(14):
        client.get("/audit/")
    for nominal in Nominal.objects.all():
        for _ in range(10):
            audit_record(user=analyst, action="view", object_type="nominal", object_id=nominal.pk)
    audit_record(user=analyst, action="permission_change", object_type="user", object_id=analyst.pk,
                 detail={"target_id": analyst.pk, "target_username": "analyst",
                         "changes": {"groups": {"added": ["officer"]}}})
    with django_assert_max_num_queries(14):  # one query per kind of object, not per event
        html = client.get("/audit/").content.decode()
    assert ">user analyst</a>" in html and "<dt>groups</dt><dd>added: officer</dd>" in html


def test_it_links_an_objects_trail_from_its_page_only_for_those_who_may_audit(login, analyst, world):
    nominal = Nominal.objects.get(ref="N0")
    client = login(analyst)
    link = f"/audit/?object_type=nominal&amp;object_id={nominal.pk}"
    assert link not in client.get(f"/nominals/{nominal.pk}/").content.decode()
    analyst.groups.add(Role.objects.get(name=roles.GOVERNANCE))
    assert link in login(analyst).get(f"/nominals/{nominal.pk}/").content.decode()
    sector = world.sectors["S2"]
    assert f"/audit/?object_type=area&amp;object_id={sector.pk}" in client.get(f"/sectors/{sector.pk}/").content.decode()


def test_it_names_what_it_cannot_look_up_without_failing(login, governance, db):
    audit_record(user=None, username="x", action="export", object_type="ranking", object_id="99")
    audit_record(user=None, username="x", action="view", object_type="nominal", object_id="424242")
    audit_record(user=None, username="x", action="view", object_type="something_new", object_id="abc")
    html = login(governance).get("/audit/").content.decode()
    assert '>ranking</a>' in html  # an unknown level: the kind of object, still linked to its trail
    assert ">nominal 424242</a>" in html and "something new abc" in html
