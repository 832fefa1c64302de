import pytest

from records.models import Record
from sectors.models import Area, Level


@pytest.fixture
def some_data(db):
    force = Area.objects.create(level=Level.FORCE, code="F", name="Force")
    sector = Area.objects.create(level=Level.SECTOR, code="S1", name="Sector one", parent=force)
    Record.objects.create(force=force, kind="policeuk", source="policeuk", external_ref="a", occurred_on="2023-01-01",
                          month="2023-01-01", sector=sector)
    return sector


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_serves_the_login_page(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


@pytest.mark.parametrize("who, sees, hidden", [
    ("analyst", ["Sector overview", "Groups &amp; nominals", "Uploads", "Records"], ["Audit trail"]),
    ("officer", ["Sector overview", "Records"], ["Uploads", "Audit trail", "Nominals"]),
    ("partner_a", ["Uploads"], ["Sector overview", "Records", "Audit trail"]),
    ("governance", ["Audit trail"], ["Sector overview", "Uploads", "Records"]),
    ("administrator", ["Administration"], ["Audit trail", "Uploads"]),
    ("outsider", ["You have no role yet"], ["Sector overview", "Records", "Uploads"]),
])
def test_it_shows_each_role_what_it_can_do(client, cast, some_data, who, sees, hidden):
    client.force_login(cast[who])
    content = client.get("/").content.decode()
    for text in sees:
        assert text in content, (who, text)
    for text in hidden:
        assert text not in content, (who, text)


def test_it_shows_the_analyst_how_much_data_is_loaded(client, analyst, some_data):
    client.force_login(analyst)
    content = client.get("/").content.decode()
    assert "1 police.uk street crime" in content
    assert "1 sector" in content


@pytest.fixture
def world(db):
    from tests.world import build_world

    return build_world()


def test_it_opens_on_the_forces_harm_its_top_sectors_and_significant_changes(client, analyst, world,
                                                                              django_assert_max_num_queries):
    from scoring.selectors import ranking

    force = ranking(user=analyst, level=Level.FORCE).rows[0]
    sectors = ranking(user=analyst, level=Level.SECTOR).rows
    client.force_login(analyst)
    with django_assert_max_num_queries(40):
        response = client.get("/")
    summary = response.context["summary"]["harm"]
    assert summary["force"].harm == pytest.approx(sum(r.harm for r in sectors) + ranking(
        user=analyst, level=Level.SECTOR).outside_harm)
    assert summary["force"].harm == force.harm > 0
    assert [r.area_name for r in summary["top"]] == [r.area_name for r in sectors][:5]
    assert summary["changes"] and all(r.significant for r in summary["changes"])
    assert [abs(r.harm_change) for r in summary["changes"]] == sorted((abs(r.harm_change) for r in summary["changes"]),
                                                                      reverse=True)
    html = response.content.decode()
    assert f"{force.harm:,.0f}" in html and f'href="/sectors/{world.sectors["S2"].pk}/"' in html
    assert "Your sectors" not in html  # analysts read every sector's records


def test_it_tells_an_officer_which_sectors_are_theirs(client, officer, world):
    from records.permissions import area_records_grant

    client.force_login(officer)
    assert "No sector's raw records are granted to you" in client.get("/").content.decode()
    area_records_grant(user=officer, area=world.sectors["S3"], granted_by=None)
    html = client.get("/").content.decode()
    assert f'<a href="/sectors/{world.sectors["S3"].pk}/#records">Sector 3</a>' in html
    assert "Sector 2</a>, " not in html.split("Your sectors")[1]


def test_it_shows_partners_their_own_latest_uploads_only(client, partner_a, partner_b, analyst, ingest, coroner,
                                                         crimestoppers, db):
    deaths = b"reference,date,latitude,longitude,substances\nD1,2024-03-05,55.05,-1.55,heroin\n"
    tips = b"reference,date,latitude,longitude,category\nC1,2024-03-05,55.05,-1.55,drugs\n"
    ingest("drug_deaths", deaths, name="coroner-march.csv", organisation=coroner, user=partner_a)
    ingest("crimestoppers", tips, name="tips-march.csv", organisation=crimestoppers, user=partner_b)
    client.force_login(partner_a)
    html = client.get("/").content.decode()
    assert "coroner-march.csv" in html and "tips-march.csv" not in html
    client.force_login(analyst)
    html = client.get("/").content.decode()
    assert "coroner-march.csv" in html and "tips-march.csv" in html


def test_it_shows_governance_the_latest_activity_and_records_that_reading(client, governance, analyst, db):
    from core.audit import audit_record
    from core.models import AuditEvent

    audit_record(user=analyst, action="export", object_type="demand", object_id=2)
    client.force_login(governance)
    html = client.get("/").content.decode()
    assert ">demand by sector</a>" in html and 'href="/audit/?username=analyst"' in html
    assert AuditEvent.objects.filter(username="governance", action="view", object_type="audit_trail",
                                     detail__on="home page").count() == 1
