"""Reads behind the group and nominal research pages. Every function takes the user."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.audit import audit_record
from core.charts import fill_months
from core.models import AuditEvent
from core.months import add_months
from nominals.models import (
    DiversionReferral,
    Group,
    LinkRole,
    Membership,
    RecordNominal,
)
from nominals.permissions import (
    access_group,
    access_nominal,
    can_research,
    nominals_visible,
)
from pages.selectors.records import with_weight
from records.models import Record, RecordKind
from scoring.models import CssEdition

OFFENDING_ROLES = [LinkRole.SUSPECT, LinkRole.OFFENDER, LinkRole.ASSOCIATE]
BEFORE_AFTER_MONTHS = 6


def _with_weight(records):
    """Records annotated with their offence's weight in the active CSS edition (0 if none)."""
    edition = CssEdition.objects.filter(is_active=True).first()
    return with_weight(records, edition), edition


def groups_list(*, user, group_type: str = ""):
    """Every group with its current and former member counts (one query)."""
    if not can_research(user):
        raise Http404("Not found")
    today = timezone.localdate()
    groups = Group.objects.annotate(
        members=Count("memberships", filter=Q(memberships__ended_on__isnull=True)
                      | Q(memberships__ended_on__gte=today), distinct=True),
        former=Count("memberships", filter=Q(memberships__ended_on__lt=today), distinct=True),
    ).order_by("group_type", "name")
    return groups.filter(group_type=group_type) if group_type else groups


@dataclass
class GroupProfile:
    group: Group
    memberships: list
    crimes: list
    harm_total: float
    crime_count: int
    monthly: list[tuple[date, float, int]]
    footprint: list[dict]
    referrals: list
    edition: CssEdition | None
    hidden_members: int


def group_profile(*, user, group_id, request=None) -> GroupProfile:
    """A group's make-up, the crimes linked to members while they were members, and where they happen."""
    group = access_group(user, group_id)
    visible = nominals_visible(user)
    memberships = list(group.memberships.select_related("nominal", "nominal__home_sector")
                       .order_by("ended_on", "started_on"))
    visible_ids = set(visible.filter(pk__in=[m.nominal_id for m in memberships]).values_list("pk", flat=True))
    shown = [m for m in memberships if m.nominal_id in visible_ids]
    # A crime is the group's when a linked offender was a member of it on the crime's date.
    member_on_date = Membership.objects.filter(
        group=group, nominal_id=OuterRef("nominal_id"), started_on__lte=OuterRef(OuterRef("occurred_on")),
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef(OuterRef("occurred_on"))))
    linked = RecordNominal.objects.filter(record_id=OuterRef("pk"), role__in=OFFENDING_ROLES)
    crimes, edition = _with_weight(Record.objects.filter(kind=RecordKind.CRIME)
                                   .filter(Exists(linked.filter(Exists(member_on_date)))))
    totals = crimes.aggregate(harm=Coalesce(Sum("weight"), 0.0), n=Count("id"))
    # Every month from the first to the last with a crime, zeros included: the chart's x axis is time.
    monthly = fill_months(list(crimes.values("month").annotate(harm=Sum("weight"), n=Count("id"))
                               .order_by("month").values_list("month", "harm", "n")))
    footprint = list(crimes.filter(sector__isnull=False).values("sector_id", "sector__name")
                     .annotate(harm=Sum("weight"), n=Count("id")).order_by("-harm")[:10])
    top = list(crimes.select_related("offence_type", "sector").order_by("-weight", "-occurred_on")[:25])
    referrals = list(DiversionReferral.objects.filter(nominal__memberships__group=group,
                                                      nominal__in=visible).select_related("nominal").distinct())
    audit_record(user=user, action=AuditEvent.Action.VIEW, object_type="group", object_id=group.pk, request=request)
    return GroupProfile(group=group, memberships=shown, crimes=top, harm_total=totals["harm"],
                        crime_count=totals["n"], monthly=monthly, footprint=footprint, referrals=referrals,
                        edition=edition, hidden_members=len(memberships) - len(shown))


@dataclass
class NominalProfile:
    nominal: object
    memberships: list
    priority_periods: list
    records: list
    harm_total: float
    monthly: list[tuple[date, float, int]]
    associates: list[dict]
    referrals: list[dict]
    edition: CssEdition | None


def nominal_profile(*, user, nominal_id, request=None) -> NominalProfile:
    """A nominal's groups, linked records and harm over time, associates, and referrals with harm before/after."""
    nominal = access_nominal(user, nominal_id)
    links = RecordNominal.objects.filter(record_id=OuterRef("pk"), nominal=nominal, role__in=OFFENDING_ROLES)
    linked, edition = _with_weight(Record.objects.filter(Exists(links)))
    monthly = fill_months(list(linked.values("month").annotate(harm=Sum("weight"), n=Count("id"))
                               .order_by("month").values_list("month", "harm", "n")))
    records = list(linked.select_related("offence_type", "sector").order_by("-occurred_on")[:100])
    shared = RecordNominal.objects.filter(record__nominal_links__nominal=nominal).exclude(nominal=nominal)
    associates = list(shared.filter(nominal__in=nominals_visible(user))
                      .values("nominal_id", "nominal__ref", "nominal__name")
                      .annotate(shared=Count("record", distinct=True)).order_by("-shared", "nominal__ref")[:20])
    referrals = [_before_after(referral, linked) for referral in nominal.referrals.order_by("referred_on")]
    audit_record(user=user, action=AuditEvent.Action.VIEW, object_type="nominal", object_id=nominal.pk,
                 request=request)
    return NominalProfile(
        nominal=nominal,
        memberships=list(nominal.memberships.select_related("group").order_by("started_on")),
        priority_periods=list(nominal.priority_periods.order_by("started_on")),
        records=records, harm_total=sum(h for _, h, _ in monthly), monthly=monthly,
        associates=associates, referrals=referrals, edition=edition,
    )


def _before_after(referral: DiversionReferral, linked) -> dict:
    """Harm linked to the person in the months before the referral and the same span after it."""

    month = referral.referred_on.replace(day=1)
    before = linked.filter(month__gte=add_months(month, -BEFORE_AFTER_MONTHS), month__lt=month)
    after = linked.filter(month__gt=month, month__lte=add_months(month, BEFORE_AFTER_MONTHS))
    b = before.aggregate(harm=Coalesce(Sum("weight"), 0.0), n=Count("id"))
    a = after.aggregate(harm=Coalesce(Sum("weight"), 0.0), n=Count("id"))
    return {"referral": referral, "months": BEFORE_AFTER_MONTHS, "harm_before": b["harm"], "count_before": b["n"],
            "harm_after": a["harm"], "count_after": a["n"]}


def nominals_search(*, user, query: str = "", limit: int = 100, request=None):
    """The nominals a user may research, by reference or name. A search is audited: looking a
    person up by name is access to police data about them, even when nothing is opened."""
    nominals = nominals_visible(user).select_related("home_sector")
    if query:
        nominals = nominals.filter(Q(ref__icontains=query) | Q(name__icontains=query))
        audit_record(user=user, action=AuditEvent.Action.VIEW, object_type="nominal_search",
                     detail={"query": query}, request=request)
    return nominals.annotate(groups=Count("memberships", distinct=True)).order_by("ref")[:limit]
