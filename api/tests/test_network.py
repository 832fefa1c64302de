from datetime import date

from core.models import AuditEvent
from nominals.services import nominal_access_grant
from pages.selectors.network import NetworkScope, nominal_network

from api.tests.conftest import WINDOW

YEAR = NetworkScope(start=date(2024, 1, 1), end=date(2024, 12, 1))


def _links(research, body) -> set[tuple[str, str, int]]:
    ref = {n.pk: n.ref for n in research.people.values()}
    return {(ref[e["source"]], ref[e["target"]], e["shared"]) for e in body["edges"]}


def test_it_gives_the_page_s_nodes_measures_and_links(client, analyst, research, django_assert_max_num_queries):
    client.force_login(analyst)
    client.get("/api/network/", WINDOW)  # warms what is read once per process (content types)
    # Session, user, permissions (2), the restricted grants, the edges, their harm, the edition, the nominals,
    # their groups, and the audit event (3).
    with django_assert_max_num_queries(13):
        body = client.get("/api/network/", WINDOW).json()
    page = nominal_network(user=analyst, scope=YEAR)
    assert [{k: n[k] for k in ("id", "ref", "degree", "betweenness", "community", "bridge", "harm", "group")}
            for n in body["nodes"]] == [{k: r[k] for k in ("id", "ref", "degree", "betweenness", "community",
                                                              "bridge", "harm", "group")} for r in page.rows]
    assert [n["ref"] for n in body["nodes"]] == ["N1", "N0", "U"]  # N1 between the two others
    assert _links(research, body) == {("N0", "N1", 3), ("N1", "U", 1)}
    assert (body["start"], body["end"], body["nominals_found"], body["capped"]) == ("2024-01-01", "2024-12-01", 3,
                                                                                     False)
    assert body["nodes"][1]["harm"] == 5 * 512.96 and body["nodes"][1]["group"] == "Test OCG"


def test_it_leaves_a_restricted_nominal_out_until_granted(client, analyst, administrator, research):
    client.force_login(analyst)
    hidden = client.get("/api/network/", WINDOW).json()
    assert "R" not in {n["ref"] for n in hidden["nodes"]} and hidden["nominals_found"] == 3
    assert hidden["links_found"] == 2 and next(n for n in hidden["nodes"] if n["ref"] == "N0")["degree"] == 1
    nominal_access_grant(user=analyst, nominal=research.people["R"], granted_by=administrator)
    shown = client.get("/api/network/", WINDOW).json()
    assert _links(research, shown) == {("N0", "N1", 3), ("N1", "U", 1), ("N0", "R", 2)}
    assert shown["nominals_found"] == 4 and next(n for n in shown["nodes"] if n["ref"] == "N0")["degree"] == 2


def test_it_filters_as_the_page_does_and_refuses_a_bad_filter(client, analyst, research):
    client.force_login(analyst)
    crew = client.get("/api/network/", {**WINDOW, "group": research.ucg.pk}).json()
    assert _links(research, crew) == {("N1", "U", 1)}
    earlier = client.get("/api/network/", {"end": "2023-12", "months": 12}).json()
    assert _links(research, earlier) == {("N0", "U", 1)}
    elsewhere = client.get("/api/network/", {**WINDOW, "area": research.world.sectors["S1"].pk}).json()
    assert elsewhere["nodes"] == [] and elsewhere["edges"] == []
    assert client.get("/api/network/", {"group_type": "gang"}).status_code == 400
    assert client.get("/api/network/", {"area": 999999}).status_code == 400


def test_it_audits_each_read_as_the_page_does(client, analyst, research):
    client.force_login(analyst)
    client.get("/api/network/", WINDOW)
    client.get("/nominals/network/", WINDOW)
    api, page = AuditEvent.objects.filter(object_type="nominal_network").order_by("id")
    assert api.action == page.action == "view" and api.detail["api"] and "api" not in page.detail
    shown = ("start", "end", "nominals", "links", "nominals_found", "capped")
    assert {k: api.detail[k] for k in shown} == {k: page.detail[k] for k in shown}
    assert (api.detail["nominals"], api.detail["links"], api.detail["capped"]) == (3, 2, False)


def test_it_caps_the_network_at_the_heaviest_nominals_on_the_page_too(client, analyst, research, settings):
    settings.NETWORK_MAX_NODES = 2
    client.force_login(analyst)
    body = client.get("/api/network/", WINDOW).json()
    assert sorted(n["ref"] for n in body["nodes"]) == ["N0", "N1"]  # U has the least linked harm
    assert _links(research, body) == {("N0", "N1", 3)} and body["capped"] and body["max_nodes"] == 2
    assert (body["nominals_found"], body["links_found"]) == (3, 2)
    assert all(n["betweenness"] == 0.0 for n in body["nodes"])  # the measures of the graph shown
    page = client.get("/nominals/network/", WINDOW)
    assert page.context["network"].capped and len(page.context["network"].rows) == 2
    assert "3 nominals share records in this selection; the 2 with the most linked harm" in page.content.decode()
    assert AuditEvent.objects.filter(object_type="nominal_network").latest("id").detail["capped"]
    settings.NETWORK_MAX_NODES = 0  # no cap
    assert len(client.get("/api/network/", WINDOW).json()["nodes"]) == 3
