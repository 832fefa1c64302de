"""Every page of the app for every member of the cast: 200 where allowed, 404 (never 403) elsewhere."""
import pytest

ROLES = ["analyst", "officer", "partner_a", "partner_b", "governance", "administrator", "outsider"]
PAGES = {
    "/sectors/": {"analyst", "officer"},
    "/sectors/export.csv": {"analyst", "officer"},
    "/sectors/{S2}/": {"analyst", "officer"},
    "/sectors/{S2}/records.csv": {"analyst"},
    "/sectors/{S2}/records.geojson": {"analyst"},
    "/themes/": {"analyst", "officer"},
    "/themes/drug-supply/": {"analyst", "officer"},
    "/demand/": {"analyst"},
    "/demand/export.csv": {"analyst"},
    "/demand/export.xlsx": {"analyst"},
}


@pytest.mark.parametrize("role", ROLES)
def test_it_renders_every_page_for_every_role(world, cast, login, role):
    client = login(cast[role])
    for page, allowed in PAGES.items():
        url = page.format(S2=world.sectors["S2"].pk)
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 404), f"{role} {url}: {status}"
