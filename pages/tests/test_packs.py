"""The tasking pages: prepare a pack from the ranking, reopen it, compare it with today, export it, act on it."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.models import AuditEvent, Organisation
from scoring.selectors.ranking import ranking
from tasking.models import Action, TaskingPack
from tasking.services.actions import action_create
from tasking.services.packs import pack_prepare
from tests.world import add_late_crimes

DRUG_SUPPLY_WEIGHT = 512.96


def _pack(world, analyst, codes=("S2", "S1")):
    return pack_prepare(user=analyst, title="January tasking", meeting_on=date(2025, 1, 6),
                        area_ids=[world.sectors[c].pk for c in codes], window_months=12)


def test_an_analyst_prepares_a_pack_from_the_ranking_shown(world, analyst, login):
    client = login(analyst)
    page = client.get("/tasking/new/?months=6")
    assert page.status_code == 200
    assert [r.area_code for r in page.context["ranking"].rows] == [
        r.area_code for r in ranking(user=analyst, months=6).rows]
    response = client.post("/tasking/new/", {
        "title": "January tasking", "meeting_on": "2025-01-06", "months": "6",
        "areas": [world.sectors["S2"].pk, world.sectors["S3"].pk]})
    pack = TaskingPack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasking/{pack.pk}/"
    assert pack.window_months == 6 and pack.snapshot["window"]["start"] == "2024-07-01"
    assert sorted(a["code"] for a in pack.snapshot["areas"]) == ["S2", "S3"]


def test_it_says_what_is_missing_and_prepares_nothing(world, analyst, login):
    response = login(analyst).post("/tasking/new/", {"title": "", "meeting_on": "2025-01-06", "months": "12"})
    assert response.status_code == 200
    assert {"title", "areas"} <= set(response.context["form"].errors)
    assert not TaskingPack.objects.exists()


def test_the_reopened_pack_shows_the_figures_the_meeting_saw_and_is_audited(world, analyst, login,
                                                                             django_assert_max_num_queries):
    pack = _pack(world, analyst)
    client = login(analyst)
    first = client.get(f"/tasking/{pack.pk}/")
    s2_then = next(r for r in first.context["ranking"] if r["area_code"] == "S2")
    add_late_crimes(world, "S3", 40)
    # Session, user, their permissions (two) and roles, the failed-runs banner, the pack, the audit event
    # (three), its actions and their activities, and the add-action form's five lists of choices.
    with django_assert_max_num_queries(17):
        again = client.get(f"/tasking/{pack.pk}/")
    html = again.content.decode()
    s2_now = next(r for r in again.context["ranking"] if r["area_code"] == "S2")
    assert s2_now == s2_then and s2_now["rank"] == 1
    assert f'data-harm="{s2_then["harm"]:.4f}"' in html and "January tasking" in html
    assert again.context["areas"][0]["top"], "the analyst sees the top records"
    events = AuditEvent.objects.filter(action="view", object_type="tasking_pack", object_id=str(pack.pk))
    assert events.count() == 2 and events.first().detail["records"]


def test_since_shows_the_change_for_the_selected_sector(world, analyst, login):
    pack = _pack(world, analyst, codes=("S3",))
    then = next(r for r in pack.snapshot["ranking"] if r["area_code"] == "S3")
    add_late_crimes(world, "S3", 40)
    response = login(analyst).get(f"/tasking/{pack.pk}/since/")
    row = response.context["rows"][0]
    assert row["then"]["rank"] == then["rank"] and row["now"]["rank"] == 1
    assert row["harm_moved"] == pytest.approx(40 * DRUG_SUPPLY_WEIGHT)
    assert f'data-harm-now="{then["harm"] + 40 * DRUG_SUPPLY_WEIGHT:.4f}"' in response.content.decode()
    assert AuditEvent.objects.filter(object_type="tasking_pack_since", object_id=str(pack.pk)).count() == 1


def test_the_pdf_export_holds_the_title_and_is_audited(world, analyst, governance, login):
    pack = _pack(world, analyst)
    response = login(governance).get(f"/tasking/{pack.pk}/export.pdf")
    body = response.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF") and b"January tasking" in body
    event = AuditEvent.objects.get(action="export", object_type="tasking_pack", username="governance")
    assert event.detail["format"] == "pdf" and event.detail["records"] == []  # governance reads no records


def test_the_xlsx_export_holds_the_ranking_rows_and_the_actions(world, analyst, officer, login):
    pack = _pack(world, analyst)
    action_create(user=analyst, pack=pack, description="Warrants in Sector 2", due_on=date(2025, 2, 1),
                  area=world.sectors["S2"], owner=officer)
    response = login(analyst).get(f"/tasking/{pack.pk}/export.xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book["ranking"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    snap = pack.snapshot["ranking"]
    assert [r[header.index("area_code")] for r in body] == [r["area_code"] for r in snap]
    assert [r[header.index("harm")] for r in body] == pytest.approx([r["harm"] for r in snap])
    assert [r[header.index("selected")] for r in body if r[header.index("area_code")] in ("S1", "S2")] == ["yes", "yes"]
    top = list(book["top records"].iter_rows(values_only=True))[1:]
    assert top and {r[0] for r in top} <= {"S1", "S2"}
    actions = list(book["actions"].iter_rows(values_only=True))[1:]
    assert actions == [("Warrants in Sector 2", "Sector 2", None, "officer", "2025-02-01", "open", None)]  # empty cells
    assert AuditEvent.objects.filter(action="export", object_type="tasking_pack", detail__format="xlsx").exists()


def test_actions_are_recorded_on_the_pack_and_updated_by_their_owner(world, analyst, officer, governance, login,
                                                                     client):
    pack = _pack(world, analyst)
    login(analyst)
    response = client.post(f"/tasking/{pack.pk}/actions/new/", {
        "description": "Closure order at the supply address", "area": world.sectors["S2"].pk,
        "owner": officer.pk, "due_on": "2025-02-14"})
    action = Action.objects.get()
    assert response.status_code == 302 and action.owner == officer and action.pack == pack
    assert "Closure order" in client.get(f"/tasking/{pack.pk}/").content.decode()

    client.force_login(officer)
    assert "Closure order" in client.get("/tasking/").content.decode()  # my open actions
    sector = client.get(f"/sectors/{world.sectors['S2'].pk}/")
    assert sector.context["open_actions"] == [action] and "Closure order" in sector.content.decode()
    response = client.post(f"/tasking/actions/{action.pk}/edit/", {"status": "done", "due_on": "2025-02-10",
                                                                   "owner": officer.pk})
    action.refresh_from_db()
    assert response.status_code == 302 and (action.status, action.due_on) == ("done", date(2025, 2, 10))
    assert client.get(f"/sectors/{world.sectors['S2'].pk}/").context["open_actions"] == []

    client.force_login(governance)
    assert client.get(f"/tasking/actions/{action.pk}/edit/").status_code == 404


def test_the_actions_page_filters_by_owner_and_sector_in_a_fixed_number_of_queries(
        world, analyst, officer, login, django_assert_max_num_queries):
    pack = _pack(world, analyst)
    force = Organisation.objects.get(code="force")
    for i in range(6):
        action_create(user=analyst, pack=pack, description=f"Action {i}", due_on=date(2025, 2, 1 + i),
                      area=world.sectors["S2" if i % 2 else "S1"], owner=officer if i < 3 else None,
                      owner_organisation=None if i < 3 else force)
    client = login(analyst)
    # Session, user, their permissions (two) and roles, the failed-runs banner, the filter's sector (read to
    # validate it), the actions and their activities, the filter's two lists of choices.
    with django_assert_max_num_queries(11):
        response = client.get(f"/tasking/actions/?sector={world.sectors['S2'].pk}")
    assert [a.description for a in response.context["actions"]] == ["Action 1", "Action 3", "Action 5"]
    mine = client.get(f"/tasking/actions/?owner={officer.pk}")
    assert [a.description for a in mine.context["actions"]] == ["Action 0", "Action 1", "Action 2"]
    # Session, user, permissions (two), roles, banner, the packs' count and page, my actions (no activities).
    with django_assert_max_num_queries(9):
        listed = client.get("/tasking/")
    assert [p.open_actions for p in listed.context["page"]] == [6]


def test_an_officer_sees_the_pack_without_top_records_and_cannot_prepare_or_export(world, analyst, officer, login):
    pack = _pack(world, analyst)
    client = login(officer)
    response = client.get(f"/tasking/{pack.pk}/")
    assert response.status_code == 200 and all(a["top"] is None for a in response.context["areas"])
    assert "you have not been granted this sector's records" in response.content.decode()
    assert "R0" not in response.content.decode()
    assert client.get("/tasking/new/").status_code == 404
    assert client.get(f"/tasking/{pack.pk}/export.pdf").status_code == 404
