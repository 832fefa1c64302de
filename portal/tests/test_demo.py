"""load_demo, twice, with the same counts (on PostgreSQL and on SQLite). One transactional test, since the
loader commits as it goes; serialized_rollback puts back the rows the migrations seed."""
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from core.models import Organisation
from core.months import add_months
from pages.selectors.network import NetworkScope, nominal_network
from portal.demo_campaigns import CAMPAIGNS, DISPLACED, FALL
from portal.demo_users import DEMO_USERS, ensure_demo_users
from records.models import Record
from records.services import partitioned, record_partitions_missing
from scoring import selectors
from scoring.models import HarmScore, Measure
from scoring.selectors.drilldown import _record_branch, contributing_records
from scoring.selectors.items import figure_total
from scoring.selectors.ranking import visible_measures
from scoring.selectors.totals import area_totals
from sectors.geometry import neighbour_map
from sectors.models import Area, Level
from tasking.models import POLICE_KINDS, Action, Activity, ActivityKind, TaskingPack

COUNTED = ["sectors.Area", "records.Record", "ingestion.Upload", "nominals.Nominal", "nominals.Group",
           "nominals.Membership", "nominals.PriorityStatus", "nominals.RecordNominal", "nominals.DiversionReferral",
           "records.OffenceType", "scoring.OffenceWeight", "scoring.CssEdition", "scoring.HarmScore", "auth.User",
           "tasking.Activity", "core.Organisation", "tasking.TaskingPack", "tasking.Action"]


def _counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_loads_the_demo_twice_with_the_same_counts(settings):
    settings.DEMO_MODE = True
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == first

    # The real geography: force, 6 local authorities, 177 wards, 916 LSOAs.
    assert {level: Area.objects.filter(level=level).count() for level in Level.values} == {
        Level.FORCE: 1, Level.COMMAND: 6, Level.SECTOR: 177, Level.NEIGHBOURHOOD: 916}
    # The real police.uk crimes: 43,083 published rows less 8,276 anti-social behaviour rows.
    policeuk = Record.objects.filter(kind="policeuk", is_synthetic=False)
    assert policeuk.count() == 34807
    assert policeuk.filter(sector__isnull=True).count() < 100
    assert first["scoring.OffenceWeight"] >= 134

    # Every synthetic row is labelled, and only synthetic rows carry SYN- references.
    synthetic = Record.objects.filter(is_synthetic=True)
    assert synthetic.count() > 3000
    assert not synthetic.exclude(external_ref__startswith="SYN-").exists()
    assert set(synthetic.values_list("kind", flat=True)) == {
        "crime", "drug_death", "crimestoppers", "trading_standards", "firearms_intel"}
    assert not Record.objects.filter(is_synthetic=False, external_ref__startswith="SYN-").exists()
    # PostgreSQL: every month loaded has its partition (none left to the DEFAULT partition).
    if partitioned():
        assert record_partitions_missing(months=Record.objects.values_list("month", flat=True).distinct()) == []

    assert set(User.objects.values_list("username", flat=True)) >= {u[0] for u in DEMO_USERS}
    assert HarmScore.objects.filter(area__level=Level.SECTOR, harm__gt=0).exists()
    _check_the_demo_figures(User.objects.get(username="analyst"))
    _check_the_activities()
    _check_the_packs(User.objects.get(username="analyst"))
    _check_the_network(User.objects.get(username="analyst"))


def _check_the_network(analyst):
    """The demo's last year as a co-offending network: each group mostly one community, and bridges."""
    network = nominal_network(user=analyst, scope=NetworkScope(start=add_months(date(2023, 2, 1), -11),
                                                               end=date(2023, 2, 1)))
    by_group = defaultdict(Counter)
    for row in network.rows:
        if row["group"]:
            by_group[row["group"]][row["community"]] += 1
    assert len(by_group) >= 20
    # A group is found when most of its members in the network share one community.
    found = [g for g, communities in by_group.items() if max(communities.values()) >= 0.8 * sum(communities.values())]
    assert len(found) >= 0.8 * len(by_group)
    bridges = [row for row in network.rows if row["bridge"]]
    assert bridges
    # A bridge's neighbours fall in two communities, and here in two groups.
    graph = network.graph
    assert any(len({graph.nodes[n]["group"] for n in graph.neighbors(row["id"])}) >= 2 for row in bridges)


def _check_the_packs(analyst):
    """Two packs, each frozen on the ranking of its own window, with its meeting's actions."""
    packs = list(TaskingPack.objects.filter(is_synthetic=True).order_by("meeting_on"))
    assert len(packs) == 2 and packs[0].snapshot["window"]["end"] == "2022-05-01"
    for pack in packs:
        window = pack.snapshot["window"]
        ranked = selectors.ranking(user=analyst, level=Level.SECTOR, months=pack.window_months,
                                   end_month=date.fromisoformat(window["end"]))
        top = sorted(ranked.rows, key=lambda r: r.rank)[:len(pack.snapshot["areas"])]
        assert {s["area_id"] for s in pack.snapshot["areas"]} == {r.area_id for r in top}
        assert [r["harm"] for r in pack.snapshot["ranking"]] == pytest.approx([r.harm for r in ranked.rows])
        assert pack.actions.exists()
    assert Action.objects.filter(status="done").exists() and Action.objects.filter(status="open").exists()


def _check_the_demo_figures(analyst):
    """The sectors add up to the force, no record is counted twice, and one-record areas are named."""
    ranking = selectors.ranking(user=analyst, level=Level.SECTOR, months=12)
    assert sum(r.harm for r in ranking.rows) + ranking.outside_harm == pytest.approx(ranking.force_harm)
    assert all(r.breakdown_total - r.overlap == pytest.approx(r.harm) for r in ranking.rows)
    assert sum(r.overlap for r in ranking.rows) > 0  # the demo has crimes in two measures

    # Each record once: the force's record items are the distinct records the drill-down finds measure by measure.
    force = Area.objects.get(level=Level.FORCE)
    records = [m for m in ranking.measures if m.source != Measure.Source.NOMINALS]
    found = {}
    for measure in records:
        for row in _record_branch(measure, force, ranking.start, ranking.end, ranking.edition, 100_000):
            found[row["id"]] = row["weight"]
    totals = area_totals(area_ids=[force.pk], start=ranking.start, end=ranking.end, measures=records)[force.pk]
    assert (totals.count, totals.harm) == (len(found), pytest.approx(sum(found.values())))

    # The items behind a figure add up to it: the top sectors' SOC harm and each of their measure cells.
    for row in ranking.rows[:3]:
        area = Area.objects.get(pk=row.area_id)
        count, harm = figure_total(user=analyst, area=area, start=ranking.start, end=ranking.end,
                                   measures=ranking.measures, edition=ranking.edition)
        assert (count, harm) == (row.count, pytest.approx(row.harm))
        for measure in ranking.measures:
            count, harm = figure_total(user=analyst, area=area, start=ranking.start, end=ranking.end,
                                       measures=[measure], edition=ranking.edition)
            assert (count, harm) == (row.counts.get(measure.code, 0),
                                     pytest.approx(row.contributions.get(measure.code, 0.0))), measure.code

    flagged = [r for r in ranking.rows if r.dominant == "record"]
    assert flagged
    for row in flagged[:5]:
        top = contributing_records(user=analyst, area_id=row.area_id, start=ranking.start, end=ranking.end,
                                   limit=1)[0]
        assert top.item_type == "record" and top.weight >= row.harm / 2


def test_it_refuses_demo_users_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured):
        ensure_demo_users()
    assert not User.objects.exists()


WINDOW = 6  # months before the first activity of a campaign and after its last
FALL_BY = 0.5  # a FALL campaign's wards lose more than this share of their harm,
MARGIN = 0.15  # this much more than their comparison wards lose,
COMPARISON_FALL_BY = 0.25  # and some comparison loses less than this
COMPARISONS = 5


def _windows(activities) -> tuple[tuple, tuple]:
    first = min(a.started_on for a in activities).replace(day=1)
    last = max(a.ended_on for a in activities).replace(day=1)
    return (add_months(first, -WINDOW), add_months(first, -1)), (add_months(last, 1), add_months(last, WINDOW))


def _harm(totals, ids) -> float:
    return sum(totals[pk].harm for pk in ids if pk in totals)


def _check_the_activities():
    """Activities of every kind, by the force and partners; after each FALL campaign its wards' harm falls by
    more than FALL_BY, and by more than that of the untouched wards nearest in harm before (which, picked for
    their high harm, fall back somewhat themselves: regression to the mean); a displacement's neighbour rises."""
    activities = Activity.objects.filter(is_synthetic=True)
    assert 25 <= activities.count() <= 40
    assert not activities.exclude(ref__startswith="SYN-ACT-").exists()
    kinds = set(activities.values_list("kind", flat=True))
    assert kinds == set(ActivityKind.values)
    assert kinds & POLICE_KINDS and kinds - POLICE_KINDS
    owners = Organisation.objects.filter(activities__in=activities).distinct()
    assert {o.kind for o in owners} == {"force", "partner"} and owners.count() >= 4
    assert activities.filter(target_lat__isnull=False).exists()
    assert activities.filter(target_boundary__isnull=False).exists()
    assert activities.filter(groups__isnull=False).exists() and activities.filter(nominals__isnull=False).exists()

    measures = visible_measures(None)
    touching = neighbour_map(level=Level.SECTOR)
    sectors = list(touching)
    targeted = set(Activity.areas.through.objects.filter(activity__in=activities).values_list("area_id", flat=True))
    around = targeted | {pk for t in targeted for pk in touching.get(t, ())}
    checked = {FALL: 0, DISPLACED: 0}
    comparison_falls = []
    for campaign in CAMPAIGNS:
        if campaign.effect not in checked:
            continue
        acts = list(activities.filter(ref__in=[a.ref for a in campaign.acts]).prefetch_related("areas"))
        (b0, b1), (a0, a1) = _windows(acts)
        before = area_totals(area_ids=sectors, start=b0, end=b1, measures=measures)
        after = area_totals(area_ids=sectors, start=a0, end=a1, measures=measures)
        wards = {area.pk for a in acts for area in a.areas.all()}
        fell = _harm(before, wards) - _harm(after, wards)
        if campaign.effect == FALL:
            # Comparison: the wards no activity targets or touches whose harm before was nearest the target's.
            untouched = [pk for pk in sectors if pk not in around]
            chosen = sorted(untouched, key=lambda pk: (abs(_harm(before, [pk]) - _harm(before, wards)), pk))
            chosen = chosen[:COMPARISONS]
            share = fell / _harm(before, wards)
            comparison = 1 - _harm(after, chosen) / _harm(before, chosen)
            assert share > FALL_BY and share > comparison + MARGIN, (campaign.group, share, comparison)
            comparison_falls.append(comparison)
        else:
            # The harm moved next door: a touching ward that nothing targets rises by more than half the fall.
            neighbours = {n for w in wards for n in touching[w]} - targeted
            rises = [_harm(after, [pk]) - _harm(before, [pk]) for pk in neighbours]
            assert fell > FALL_BY * _harm(before, wards) and max(rises) > fell / 2, campaign.group
        checked[campaign.effect] += 1
    assert checked[FALL] >= 1 and checked[DISPLACED] >= 1
    assert min(comparison_falls) < COMPARISON_FALL_BY
