"""Edge values of the GET parameters: the pages say what they did not understand, the API answers 400,
nothing answers 500."""
import pytest

from tests.world import build_world

WINDOW_PAGES = ["/sectors/", "/sectors/{area}/", "/themes/", "/themes/firearms/", "/demand/"]
WINDOW_EXPORTS = ["/sectors/export.csv", "/sectors/{area}/records.csv", "/sectors/{area}/records.geojson",
                  "/themes/firearms/export.csv", "/demand/export.csv", "/demand/export.xlsx"]
EDGE_MONTHS = ["0000-01", "0001-01", "9999-12"]
CASES = (
    [(url, {"end": end}) for url in WINDOW_PAGES + WINDOW_EXPORTS + ["/api/rankings/"] for end in EDGE_MONTHS]
    + [("/nominals/groups/", {"q": "\x00"}), ("/nominals/groups/", {"q": "ref\x00name"})]
)


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize(("url", "params"), CASES)
def test_it_answers_edge_values_without_an_error(client, world, analyst, url, params):
    client.force_login(analyst)
    response = client.get(url.format(area=world.sectors["S2"].pk), params)
    if url.startswith("/api/"):
        assert response.status_code == 400, response.content[:300]
        assert "end" in response.json()
    elif url in WINDOW_EXPORTS:  # the default window, as the page would show it
        assert response.status_code == 200
    else:
        assert response.status_code == 200
        assert b"not understood" in response.content  # the form's error, on the page
