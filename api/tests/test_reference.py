from pages.selectors.method import measure_definition
from scoring.models import CssEdition, Measure
from tests import factories as f


def test_it_lists_every_measure_active_first(client, officer, django_assert_num_queries):
    Measure.objects.filter(code="cannabis-farms").update(is_active=False)
    client.force_login(officer)
    with django_assert_num_queries(6):  # session, user, permissions (2), count, page
        body = client.get("/api/measures/").json()
    expected = list(Measure.objects.order_by("-is_active", "display_order", "code"))
    assert [m["code"] for m in body["results"]] == [m.code for m in expected] and body["count"] == len(expected)
    active = [m["is_active"] for m in body["results"]]
    assert active == sorted(active, reverse=True) and not next(
        m for m in body["results"] if m["code"] == "cannabis-farms")["is_active"]
    supply = next(m for m in body["results"] if m["code"] == "drug-supply")
    assert supply["definition"] == measure_definition(Measure.objects.get(code="drug-supply"))


def test_it_lists_the_editions_with_their_weights(client, analyst, django_assert_num_queries):
    CssEdition.objects.update(is_active=False)
    old = f.CssEditionFactory(code="old")
    current = f.CssEditionFactory(code="current", is_active=True)
    for i, approximate in enumerate([False, False, True]):
        f.OffenceWeightFactory(edition=current, weight=10.0 + i,
                               offence_type=f.OffenceTypeFactory(code=f"X{i}", is_approximation=approximate))
    client.force_login(analyst)
    with django_assert_num_queries(6):
        body = client.get("/api/editions/").json()
    rows = {e["code"]: e for e in body["results"]}
    assert body["results"][0]["code"] == "current" and rows["current"]["is_active"]
    assert (rows["current"]["weights_count"], rows["current"]["approximations"]) == (3, 1)
    assert (rows[old.code]["weights_count"], rows[old.code]["is_active"]) == (0, False)
