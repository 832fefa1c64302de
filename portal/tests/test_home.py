import pytest

from records.models import Record
from sectors.models import Area, Level


@pytest.fixture
def some_data(db):
    force = Area.objects.create(level=Level.FORCE, code="F", name="Force")
    sector = Area.objects.create(level=Level.SECTOR, code="S1", name="Sector one", parent=force)
    Record.objects.create(kind="policeuk", source="policeuk", external_ref="a", occurred_on="2023-01-01",
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
