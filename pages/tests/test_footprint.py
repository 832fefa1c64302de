"""A group's footprint (pages.selectors.footprint) and the group page that shows it."""
from datetime import date

import pytest
from django.contrib.auth.models import Permission, User

from core.months import months_between
from nominals.models import LinkRole, Membership, RecordNominal
from nominals.services import nominal_access_grant
from pages.selectors.footprint import group_footprint
from records.permissions import area_records_grant
from tests import factories as f
from tests.footprint_world import BY_MONTH, END, HARM, START, build_footprint


@pytest.fixture
def world(db):
    return build_footprint()


@pytest.fixture
def researcher(db):
    """May research nominals and groups, and read the records of the sectors granted to them only."""
    user = User.objects.create_user(username="researcher")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="nominals",
                                                         codename__in=["view_nominal", "view_group"]))
    return User.objects.get(pk=user.pk)


def _footprint(user, world):
    return group_footprint(user=user, group=world.group, start=START, end=END)


def test_it_ranks_the_sectors_by_the_groups_harm_and_they_add_up_to_it(analyst, world):
    found = _footprint(analyst, world)
    assert (found["counted"], found["harm"], found["linked"]) == (5, pytest.approx(2200.0), 6)
    rows = [(s["rank"], s["sector__name"], s["n"], s["harm"]) for s in found["footprint"]]
    assert rows == [(1, "South", 3, pytest.approx(HARM["South"])), (2, "North", 2, pytest.approx(HARM["North"]))]
    assert sum(s["harm"] for s in found["footprint"]) == pytest.approx(found["harm"])
    assert sum(s["share"] for s in found["footprint"]) == pytest.approx(1.0)
    assert found["footprint"][0]["share"] == pytest.approx(1200 / 2200)


def test_equal_harm_shares_the_best_rank(analyst, world):
    # One more 200 in North: 1,200 each.
    record = f.RecordFactory(place=world.north, occurred_on=date(2023, 3, 2), offence_type=world.assault,
                             drug_supply=True)
    RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=world.alice, role=LinkRole.OFFENDER)
    assert [(s["rank"], s["sector__name"]) for s in _footprint(analyst, world)["footprint"]] == [
        (1, "North"), (1, "South")]


def test_it_splits_the_harm_by_month_and_measure_and_each_adds_up(analyst, world):
    by_measure = _footprint(analyst, world)["by_measure"]
    codes = [m.code for m in by_measure["measures"]]
    assert [r["month"] for r in by_measure["rows"]] == months_between(START, END)
    for code, expected in BY_MONTH.items():
        column = codes.index(code)
        assert [r["measures"][column]["harm"] for r in by_measure["rows"]] == pytest.approx(expected), code
    # The SOC harm of each month, each record once, adds up to the group's; here no record is counted
    # by two measures, so the measures add up to it too, month by month.
    assert sum(r["soc"]["harm"] for r in by_measure["rows"]) == pytest.approx(2200.0)
    assert (by_measure["total"]["soc"]["harm"], by_measure["total"]["soc"]["records"]) == (pytest.approx(2200.0), 5)
    for row in by_measure["rows"]:
        assert sum(c["harm"] for c in row["measures"]) == pytest.approx(row["soc"]["harm"])
    # Nominals measures count nominal-months, never a group's records: named apart, not in the table.
    assert {m.source for m in by_measure["not_records"]} == {"nominals"}
    assert by_measure["chart"] is not None and {line["label"] for line in by_measure["chart"]["lines"]} == {
        m.name for m in by_measure["measures"] if m.code in BY_MONTH}


def test_overlapping_measures_add_up_to_more_than_the_soc_harm(analyst, world):
    world.group.group_type = "ocg"
    world.group.save(update_fields=["group_type"])
    found = _footprint(analyst, world)
    by_measure = found["by_measure"]
    codes = [m.code for m in by_measure["measures"]]
    # The OCG measure counts every linked crime at its CSS weight, the unflagged assault (200) too.
    assert found["harm"] == pytest.approx(2200.0 + 200.0)
    assert by_measure["total"]["measures"][codes.index("ocg-linked-crime")]["harm"] == pytest.approx(found["harm"])
    for row in by_measure["rows"]:
        measures = [c["harm"] for c in row["measures"]]
        assert max(measures) <= row["soc"]["harm"] + 1e-6 <= sum(measures) + 2e-6
    assert sum(sum(c["harm"] for c in r["measures"]) for r in by_measure["rows"]) > found["harm"]
    assert sum(r["soc"]["harm"] for r in by_measure["rows"]) == pytest.approx(found["harm"])


def test_it_leaves_restricted_members_homes_out_until_granted(analyst, administrator, world):
    homes = {h["sector_name"]: h["members"] for h in _footprint(analyst, world)["homes"]}
    assert homes == {"North": 1, "South": 1}
    nominal_access_grant(user=analyst, nominal=world.hidden, granted_by=administrator)
    analyst = User.objects.get(pk=analyst.pk)  # permissions are cached on the user
    homes = {h["sector_name"]: h["members"] for h in _footprint(analyst, world)["homes"]}
    assert homes == {"North": 1, "South": 1, "West": 1}


def test_it_marks_only_the_homes_of_members_in_the_window(analyst, world):
    Membership.objects.filter(nominal=world.bob).update(ended_on=date(2022, 12, 31))
    assert [h["sector_name"] for h in _footprint(analyst, world)["homes"]] == ["North"]


def test_it_shows_the_linked_records_as_points_heaviest_first(analyst, world):
    points = _footprint(analyst, world)["points"]
    assert (points["linked"], points["located"], points["readable"], points["withheld"], points["without_point"]) == (
        6, 5, 5, 0, 1)
    assert [p["harm"] for p in points["points"]] == [500.0, 500.0, 500.0, 200.0, 0.0]
    assert not points["capped"]


def test_it_caps_the_points_and_says_so(client, analyst, world, monkeypatch):
    from pages.selectors import footprint

    monkeypatch.setattr(footprint, "POINT_LIMIT", 2)
    points = _footprint(analyst, world)["points"]
    assert len(points["points"]) == 2 and points["capped"] and points["readable"] == 5
    client.force_login(analyst)
    assert "(the 2 heaviest of 5: the map shows at most 2)" in _page(client, world).content.decode()


def test_it_withholds_points_and_links_where_the_records_may_not_be_read(researcher, administrator, world):
    found = _footprint(researcher, world)
    assert found["points"]["points"] == [] and found["points"]["withheld"] == 5
    assert all(not s["link"] for s in found["footprint"]) and found["unlinked_sectors"] == 2
    area_records_grant(user=researcher, area=world.north, granted_by=administrator)
    found = _footprint(User.objects.get(pk=researcher.pk), world)
    points = found["points"]
    assert (points["readable"], points["withheld"]) == (2, 3)
    north = (world.north.min_lat, world.north.max_lat)
    assert len(points["points"]) == 2 and all(north[0] <= p["lat"] <= north[1] for p in points["points"])
    assert {s["sector__name"]: bool(s["link"]) for s in found["footprint"]} == {"North": True, "South": False}
    # The force's records list is for those who may read every sector's records: no month or measure links.
    assert not any(c["link"] for r in found["by_measure"]["rows"] for c in [r["soc"], *r["measures"]])


def _page(client, world):
    return client.get(f"/nominals/groups/{world.group.pk}/", {"end": "2023-03", "months": 3})


def test_the_page_says_what_it_withholds(client, researcher, administrator, world):
    area_records_grant(user=researcher, area=world.north, granted_by=administrator)
    client.force_login(researcher)
    html = _page(client, world).content.decode()
    assert "3 linked records in sectors whose records you may not read are not shown." in html
    assert "1 linked record has no location." in html
    assert "Figures without a link are in sectors whose records you may not read." in html
    assert world.hidden.ref not in html and world.hidden.name not in html and "West" not in html


def test_the_page_shows_the_ranked_footprint_and_the_harm_by_measure(client, analyst, world):
    client.force_login(analyst)
    response = _page(client, world)
    html = response.content.decode()
    assert 'id="group-points"' in html and 'data-points="group-points"' in html
    assert response.context["footprint_map"]["homes"] and len(response.context["footprint_map"]["points"]) == 5
    assert 'id="group-by-measure"' in html and "Drug supply offences" in html
    assert "54.5%" in html and "45.5%" in html  # South's and North's share of 2,200


def test_the_page_reads_the_footprint_in_a_fixed_number_of_queries(client, analyst, world,
                                                                   django_assert_max_num_queries):
    client.force_login(analyst)
    with django_assert_max_num_queries(30) as small:
        _page(client, world)
    for i in range(20):
        person = f.NominalFactory(home=world.west if i % 2 else world.south)
        Membership.objects.create(nominal=person, group=world.group, started_on=date(2022, 1, 1))
        record = f.RecordFactory(place=world.south, occurred_on=date(2023, 1 + i % 3, 5),
                                 offence_type=world.supply, drug_supply=True)
        RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=person, role=LinkRole.OFFENDER)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert _page(client, world).context["p"].window["counted"] == 25
