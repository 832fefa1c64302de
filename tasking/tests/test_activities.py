"""Recording activities, and reading them by area, group and nominal."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent, Organisation
from nominals.models import Group, Nominal
from tasking.models import Activity
from tasking.selectors.activities import (
    activities_for_area,
    activities_for_group,
    activities_for_nominal,
    activities_visible,
)
from tasking.services.activities import activity_create, activity_update
from tests.factories import ActivityFactory, square
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world(scores=False)


def _create(analyst, **overrides):
    kwargs = dict(user=analyst, ref="OP-1", kind="operation", title="Operation Test", started_on=date(2024, 3, 1),
                  ended_on=date(2024, 3, 31), organisation=Organisation.objects.get(code="force"))
    return activity_create(**{**kwargs, **overrides})


def test_it_targets_the_sector_a_point_lies_in_and_audits_the_creation(world, analyst):
    # S4 covers lon -1.6..-1.4, lat 54.9..55.0.
    activity = _create(analyst, lat=54.95, lon=-1.5)
    assert [a.code for a in activity.areas.all()] == ["S4"]
    event = AuditEvent.objects.get(object_type="activity", object_id=str(activity.pk))
    assert event.detail["operation"] == "create" and event.username == "analyst"


def test_it_adds_every_sector_a_polygon_intersects_to_those_given(world, analyst):
    # A box across the S1/S2 edge (lon -1.6) in the northern row (lat 55.0..55.1).
    activity = _create(analyst, areas=[world.sectors["S3"]], boundary=square(-1.65, 55.02, 0.1, 0.05))
    assert sorted(a.code for a in activity.areas.all()) == ["S1", "S2", "S3"]


@pytest.mark.parametrize("where", [{"lat": 51.5, "lon": -0.1}, {"boundary": square(-0.2, 51.5, 0.1, 0.1)}])
def test_it_refuses_a_point_or_polygon_outside_the_force(world, analyst, where):
    with pytest.raises(ValidationError, match="outside the force"):
        _create(analyst, **where)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("bad, field", [
    ({"ended_on": date(2024, 2, 1)}, "ended_on"),
    ({"kind": "party"}, "kind"),
    ({"started_on": date(2999, 1, 1), "ended_on": date(2999, 1, 2)}, "started_on"),
    ({"boundary": {"type": "Point", "coordinates": [-1.5, 54.95]}}, "target_boundary"),
])
def test_it_refuses_bad_dates_kinds_and_shapes(world, analyst, bad, field):
    with pytest.raises(ValidationError) as caught:
        _create(analyst, areas=[world.sectors["S1"]], **bad)
    assert field in caught.value.message_dict


def test_it_needs_a_target(world, analyst):
    with pytest.raises(ValidationError) as caught:
        _create(analyst)
    assert "areas" in caught.value.message_dict


def test_it_updates_the_targets_links_and_audits_it(world, analyst):
    activity = _create(analyst, areas=[world.sectors["S1"]])
    group, nominal = Group.objects.get(ref="G1"), Nominal.objects.get(ref="N0")
    activity_update(user=analyst, activity=activity, kind="warrant", title="Warrants", started_on=date(2024, 3, 5),
                    ended_on=None, organisation=activity.organisation, areas=[world.sectors["S2"]], groups=[group],
                    nominals=[nominal])
    activity.refresh_from_db()
    assert (activity.kind, activity.ended_on) == ("warrant", date(2024, 3, 5))
    assert [a.code for a in activity.areas.all()] == ["S2"]
    assert list(activity.groups.all()) == [group] and list(activity.nominals.all()) == [nominal]
    assert AuditEvent.objects.filter(object_type="activity", detail__operation="update").count() == 1


def test_an_activity_on_a_sector_shows_on_its_command_and_the_force_not_on_another_sector(world, analyst):
    on_s1 = ActivityFactory(areas=[world.sectors["S1"]])
    on_north = ActivityFactory(areas=[world.commands[0]])
    for area, expected in [(world.sectors["S1"], {on_s1, on_north}), (world.commands[0], {on_s1, on_north}),
                           (world.force, {on_s1, on_north}), (world.sectors["S2"], {on_north}),
                           (world.sectors["S3"], set())]:
        assert set(activities_for_area(user=analyst, area=area)) == expected, area.code


def test_the_register_filters_by_kind_owner_and_period(world, analyst):
    force, ts = Organisation.objects.get(code="force"), Organisation.objects.get(code="tradingstandards")
    march = ActivityFactory(kind="operation", started_on=date(2024, 3, 1), ended_on=date(2024, 3, 31),
                            areas=[world.sectors["S1"]])
    visit = ActivityFactory(kind="trading_standards", organisation=ts, started_on=date(2024, 6, 2),
                            ended_on=date(2024, 6, 2), areas=[world.sectors["S2"]])
    assert list(activities_visible(user=analyst, kind="trading_standards")) == [visit]
    assert list(activities_visible(user=analyst, organisation_id=force.pk)) == [march]
    assert list(activities_visible(user=analyst, start=date(2024, 3, 20), end=date(2024, 4, 1))) == [march]
    assert list(activities_visible(user=analyst)) == [visit, march]


def test_the_register_reads_any_number_of_activities_in_two_queries(world, analyst, django_assert_num_queries):
    for i in range(5):
        ActivityFactory(areas=[world.sectors["S1"], world.sectors["S2"]])
    analyst.has_perm("tasking.view_activity")  # the user's permissions, read once per request
    with django_assert_num_queries(2):
        rows = [(a.organisation.name, [x.code for x in a.areas.all()]) for a in activities_visible(user=analyst)]
    assert len(rows) == 5 and rows[0][1] == ["S1", "S2"]


def test_groups_and_nominals_have_their_activities_and_others_see_none(world, analyst, partner_a):
    group, nominal = Group.objects.get(ref="G1"), Nominal.objects.get(ref="N0")
    linked = ActivityFactory(areas=[world.sectors["S2"]])
    linked.groups.set([group])
    linked.nominals.set([nominal])
    ActivityFactory(areas=[world.sectors["S2"]])
    assert activities_for_group(user=analyst, group_id=group.pk) == [linked]
    assert activities_for_nominal(user=analyst, nominal_id=nominal.pk) == [linked]
    assert activities_for_area(user=partner_a, area=world.sectors["S2"]) == []
    assert not activities_visible(user=partner_a).exists()
