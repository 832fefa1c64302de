"""Co-offending in the demo: crimes committed together, so that its network has something to show.

The synthetic crimes are each written with one offender (portal.demo_synthetic). Here some of them get
a second member of the same group as an associate, which draws each group as a cluster of the network;
and in every pair of groups of one type, one member of the first also takes part (as an associate) in a
few crimes of the second, which makes that person a bridge between two communities.

Only members on the crime's date are added to crimes whose offender was a member on that date, and a
bridge joins only groups of the same type, so every crime counts in the same measures as before: the
scores do not change. Its own seeded generator, so the rest of the demo draws what it drew before; it
reads only the suspect and offender links, never its own associates, so a second load adds nothing.
"""
import random
from collections import defaultdict

from nominals.models import LinkRole, Membership, RecordNominal

SEED = 14_2023
SHARE_TOGETHER = 0.3  # the crimes of a group that get a second member
BRIDGE_CRIMES = 3  # crimes of the second group a bridge takes part in


def _member_on(periods, day) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in periods)


def co_offending_load(*, source: str) -> int:
    """Add the associates to the crimes of ``source``; the number of links it wrote (0 the second time)."""
    rng = random.Random(SEED)
    periods: dict[tuple[int, int], list] = defaultdict(list)
    group_of: dict[int, int] = {}
    group_type: dict[int, str] = {}
    for nominal, group, kind, start, end in Membership.objects.filter(nominal__ref__startswith="SYN-").order_by(
            "group_id", "nominal_id", "started_on").values_list("nominal_id", "group_id", "group__group_type",
                                                                "started_on", "ended_on"):
        periods[(nominal, group)].append((start, end))
        group_of.setdefault(nominal, group)
        group_type[group] = kind
    members: dict[int, list[int]] = defaultdict(list)
    for nominal, group in periods:
        members[group].append(nominal)
    crimes: dict[int, list[tuple]] = defaultdict(list)  # group -> (record, force, day) of its members' crimes
    for record, force, nominal, day in RecordNominal.objects.filter(
            record__source=source, role__in=[LinkRole.SUSPECT, LinkRole.OFFENDER]).order_by("record_id").values_list(
            "record_id", "force_id", "nominal_id", "record__occurred_on"):
        group = group_of.get(nominal)
        if group is not None and _member_on(periods[(nominal, group)], day):
            crimes[group].append((record, force, nominal, day))
    links = []
    for group in sorted(crimes):
        for record, force, nominal, day in crimes[group]:
            if rng.random() >= SHARE_TOGETHER:
                continue
            others = [n for n in members[group] if n != nominal and _member_on(periods[(n, group)], day)]
            if others:
                links.append(RecordNominal(record_id=record, force_id=force, nominal_id=rng.choice(others),
                                           role=LinkRole.ASSOCIATE))
    by_type = defaultdict(list)
    for group in sorted(crimes):
        by_type[group_type[group]].append(group)
    for groups in by_type.values():
        for first, second in zip(groups[::2], groups[1::2]):
            bridge = rng.choice(members[first])
            for record, force, nominal, day in rng.sample(crimes[second], min(BRIDGE_CRIMES, len(crimes[second]))):
                links.append(RecordNominal(record_id=record, force_id=force, nominal_id=bridge,
                                           role=LinkRole.ASSOCIATE))
    before = RecordNominal.objects.filter(role=LinkRole.ASSOCIATE, record__source=source).count()
    RecordNominal.objects.bulk_create(links, ignore_conflicts=True, batch_size=2000)
    return RecordNominal.objects.filter(role=LinkRole.ASSOCIATE, record__source=source).count() - before
