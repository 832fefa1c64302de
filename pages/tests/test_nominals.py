from datetime import date

import pytest

from core.models import AuditEvent
from nominals.models import DiversionReferral, Group, Membership, Nominal, RecordNominal
from nominals.services import nominal_access_grant
from records.models import OffenceType, Record
from scoring.models import CssEdition, OffenceWeight
from tests.factories import force_of


@pytest.fixture
def world(db):
    edition = CssEdition.objects.create(code="e1", label="Edition one", source="test", is_active=True)
    supply = OffenceType.objects.create(code="92A", description="Trafficking in controlled drugs")
    assault = OffenceType.objects.create(code="8N", description="Assault with injury")
    OffenceWeight.objects.create(edition=edition, offence_type=supply, weight=500.0)
    OffenceWeight.objects.create(edition=edition, offence_type=assault, weight=200.0)
    ocg = Group.objects.create(ref="G1", name="Group one", group_type="ocg")
    alice = Nominal.objects.create(ref="N1", name="Alice Example")
    bob = Nominal.objects.create(ref="N2", name="Bob Example")
    hidden = Nominal.objects.create(ref="N3", name="Restricted Person", is_restricted=True)
    Membership.objects.create(nominal=alice, group=ocg, started_on=date(2022, 1, 1))
    Membership.objects.create(nominal=bob, group=ocg, started_on=date(2022, 1, 1), ended_on=date(2022, 6, 30))
    Membership.objects.create(nominal=hidden, group=ocg, started_on=date(2022, 1, 1))

    def crime(ref, day, offence, *people):
        record = Record.objects.create(force=force_of(None), kind="crime", source="force", external_ref=ref, occurred_on=day,
                                       month=day.replace(day=1), offence_type=offence)
        for person, role in people:
            RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=person, role=role)
        return record

    crime("C1", date(2022, 3, 5), supply, (alice, "offender"), (bob, "suspect"))  # both members then
    crime("C2", date(2022, 9, 5), assault, (bob, "offender"))  # bob had left: not the group's
    crime("C3", date(2022, 9, 9), assault, (alice, "victim"))  # a victim's crime is not the group's
    crime("C4", date(2022, 5, 1), assault, (alice, "offender"))
    DiversionReferral.objects.create(ref="R1", nominal=bob, scheme="Mentoring", referred_on=date(2022, 7, 15))
    return {"group": ocg, "alice": alice, "bob": bob, "hidden": hidden}


def test_it_counts_a_crime_for_the_group_only_while_the_offender_was_a_member(client, analyst, world):
    client.force_login(analyst)
    page = client.get(f"/nominals/groups/{world['group'].pk}/")
    profile = page.context["p"]
    assert sorted(r.external_ref for r in profile.crimes) == ["C1", "C4"]
    assert profile.harm_total == 500.0 + 200.0
    assert [m.nominal.name for m in profile.memberships if m.nominal.is_restricted] == []
    assert b"Restricted Person" not in page.content and b"restricted member" not in page.content


def test_it_shows_harm_before_and_after_a_referral(client, analyst, world):
    client.force_login(analyst)
    profile = client.get(f"/nominals/{world['bob'].pk}/").context["p"]
    (referral,) = profile.referrals
    # Referred in July 2022: C1 (March, 500) is before, C2 (September, 200) after.
    assert (referral["harm_before"], referral["count_before"]) == (500.0, 1)
    assert (referral["harm_after"], referral["count_after"]) == (200.0, 1)
    assert [a["nominal__ref"] for a in profile.associates] == ["N1"]


def test_it_hides_a_restricted_nominal_until_granted(client, analyst, administrator, world):
    client.force_login(analyst)
    path = f"/nominals/{world['hidden'].pk}/"
    assert client.get(path).status_code == 404
    assert client.get("/nominals/999999/").status_code == 404
    nominal_access_grant(user=analyst, nominal=world["hidden"], granted_by=administrator)
    assert client.get(path).status_code == 200
    assert AuditEvent.objects.filter(action="permission_change", object_type="nominal").exists()


def test_it_audits_every_profile_view(client, analyst, world):
    client.force_login(analyst)
    client.get(f"/nominals/{world['alice'].pk}/")
    client.get(f"/nominals/groups/{world['group'].pk}/")
    viewed = set(AuditEvent.objects.filter(action="view", username="analyst").values_list("object_type", "object_id"))
    assert viewed == {("nominal", str(world["alice"].pk)), ("group", str(world["group"].pk))}


def test_it_lists_groups_in_a_fixed_number_of_queries(client, analyst, world, django_assert_max_num_queries):
    for i in range(30):
        Group.objects.create(ref=f"X{i}", name=f"Extra {i}", group_type="pcg")
    client.force_login(analyst)
    with django_assert_max_num_queries(10):
        assert client.get("/nominals/groups/").status_code == 200


def test_it_profiles_a_group_in_a_fixed_number_of_queries(client, analyst, world, django_assert_max_num_queries):
    for i in range(20):
        person = Nominal.objects.create(ref=f"M{i}", name=f"Member {i}")
        Membership.objects.create(nominal=person, group=world["group"], started_on=date(2022, 1, 1))
    client.force_login(analyst)
    with django_assert_max_num_queries(20):
        assert client.get(f"/nominals/groups/{world['group'].pk}/").status_code == 200


def test_it_audits_a_search_by_name(client, analyst, world):
    client.force_login(analyst)
    client.get("/nominals/groups/")
    assert not AuditEvent.objects.filter(object_type="nominal_search").exists()  # the list alone is no search
    page = client.get("/nominals/groups/", {"q": " Alice "})
    assert [n.ref for n in page.context["nominals"]] == ["N1"]
    event = AuditEvent.objects.get(object_type="nominal_search")
    assert (event.action, event.username, event.detail, event.ip) == ("view", "analyst", {"query": "Alice"}, "127.0.0.1")


def test_it_draws_group_and_nominal_harm_over_every_month_zeros_included(client, analyst, world):
    client.force_login(analyst)
    page = client.get(f"/nominals/groups/{world['group'].pk}/")
    # The group's crimes: C1 (March 2022, 500) and C4 (May 2022, 200); April had none.
    assert page.context["p"].monthly == [(date(2022, 3, 1), 500.0, 1), (date(2022, 4, 1), 0.0, 0),
                                         (date(2022, 5, 1), 200.0, 1)]
    chart = page.context["chart"]
    (x1, _), (x2, y2), (x3, _) = chart["lines"][0]["points"]
    assert x2 - x1 == pytest.approx(x3 - x2) and y2 == chart["bottom"]
    bob = client.get(f"/nominals/{world['bob'].pk}/").context
    assert [m for m, _, _ in bob["p"].monthly] == [date(2022, m, 1) for m in range(3, 10)]
    assert sum(h for _, h, _ in bob["p"].monthly) == bob["p"].harm_total == 700.0
    assert len(bob["chart"]["rows"]) == 7
