"""Reads behind the group and nominal research pages. Every function takes the user."""
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.audit import audit_record
from core.charts import fill_months
from core.models import AuditEvent
from core.months import add_months, months_between
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
    nominals_countable,
    nominals_visible,
)
from pages.forms import COUNTED_ALL, COUNTED_SOC
from pages.selectors.footprint import active_edition, force_area, group_footprint
from pages.selectors.links import records_url, window_params
from pages.selectors.records import area_nominal_months, area_records_totals, with_weight
from records.permissions import can_view_records
from records.models import Record, RecordKind
from scoring.models import CssEdition
from scoring.selectors.items import counted_records
from scoring.selectors.ranking import visible_measures
from sectors.models import Area

OFFENDING_ROLES = [LinkRole.SUSPECT, LinkRole.OFFENDER, LinkRole.ASSOCIATE]
BEFORE_AFTER_MONTHS = 6


def _with_weight(records):
    """Records annotated with their offence's weight in the active CSS edition (0 if none)."""
    edition = CssEdition.objects.filter(is_active=True).first()
    return with_weight(records, edition), edition


def _group_counted(force: Area, start: date, end: date):
    """The records counted in the force's SOC harm (active measures) in the window, with their ``harm``."""
    return counted_records(area=force, start=start, end=end, measures=visible_measures(None), edition=active_edition())


def group_harms(*, force: Area | None, start: date, end: date) -> dict[int, tuple[int, float]]:
    """group id -> (records, SOC harm) of the records linked to its members while members, in the window.

    A group's harm: the records located in the force in start..end that count in the SOC harm of the
    active measures and are linked (not as victim or witness) to someone who was a member of the group
    on the record's date, each record once with its weight in the SOC harm. Two queries for every group.
    """
    if force is None:
        return {}
    counted = _group_counted(force, start, end)
    on_date = (Q(nominal__memberships__started_on__lte=F("record__occurred_on"))
               & (Q(nominal__memberships__ended_on__isnull=True)
                  | Q(nominal__memberships__ended_on__gte=F("record__occurred_on"))))
    pairs = (RecordNominal.objects.exclude(role__in=[LinkRole.VICTIM, LinkRole.WITNESS])
             .filter(on_date, record_id__in=counted.values("pk"))
             .values_list("record_id", "nominal__memberships__group_id").distinct())
    pairs = list(pairs)
    harm = dict(counted.filter(pk__in={record for record, _ in pairs}).values_list("pk", "harm"))
    found: dict[int, list] = {}
    for record, group in pairs:
        acc = found.setdefault(group, [0, 0.0])
        acc[0] += 1
        acc[1] += float(harm.get(record) or 0.0)
    return {group: (n, h) for group, (n, h) in found.items()}


GROUP_SORTS = {"harm": "-harm", "records": "-records", "name": "name", "type": "group_type", "members": "-members"}


def groups_list(*, user, group_type: str = "", start: date | None = None, end: date | None = None,
                sort: str = "harm") -> list:
    """Every group with its current and former member counts and its harm in the window, ranked by harm.

    Each group carries ``harm``, ``records`` (group_harms), ``rank`` (by harm, ties by name) and
    ``link``: the force's records list of the records behind its harm. Three queries.
    """
    if not can_research(user):
        raise Http404("Not found")
    today = timezone.localdate()
    # Restricted nominals the user is not granted are not counted: a count would say they exist.
    countable = Q(memberships__nominal__in=nominals_countable(user).values("pk"))
    groups = Group.objects.annotate(
        members=Count("memberships", filter=countable & (Q(memberships__ended_on__isnull=True)
                                                         | Q(memberships__ended_on__gte=today)), distinct=True),
        former=Count("memberships", filter=countable & Q(memberships__ended_on__lt=today), distinct=True),
    ).order_by("group_type", "name")
    groups = list(groups.filter(group_type=group_type) if group_type else groups)
    force = force_area() if start else None
    harms = group_harms(force=force, start=start, end=end) if force else {}
    window = window_params(months=len(months_between(start, end)), end=end) if force else None
    for group in groups:
        group.records, group.harm = harms.get(group.pk, (0, 0.0))
        group.link = records_url(force.pk, window, counted_by=COUNTED_SOC, group=group.pk) if force else ""
    for rank, group in enumerate(sorted(groups, key=lambda g: (-g.harm, g.name, g.pk)), start=1):
        group.rank = rank
    field = GROUP_SORTS.get(sort, GROUP_SORTS["harm"])
    key = field.lstrip("-")
    if field.startswith("-"):
        return sorted(groups, key=lambda g: (-getattr(g, key), g.rank))
    return sorted(groups, key=lambda g: (getattr(g, key), g.rank))


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
    window: dict | None = None  # the window's figures and footprint (pages.selectors.footprint.group_footprint)


def group_profile(*, user, group_id, request=None, start: date | None = None, end: date | None = None,
                  audit_detail: dict | None = None) -> GroupProfile:
    """A group's make-up, the crimes linked to members while they were members, and where they happen.

    Audited as a view of the group, with ``audit_detail`` (the API says it read it)."""
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
    top = list(crimes.select_related("offence_type", "sector").order_by("-weight", "-occurred_on")[:25])
    window = group_footprint(user=user, group=group, start=start, end=end) if start else None
    referrals = list(DiversionReferral.objects.filter(nominal__memberships__group=group,
                                                      nominal__in=visible).select_related("nominal").distinct())
    audit_record(user=user, action=AuditEvent.Action.VIEW, object_type="group", object_id=group.pk, request=request,
                 detail=audit_detail)
    return GroupProfile(group=group, memberships=shown, crimes=top, harm_total=totals["harm"],
                        crime_count=totals["n"], monthly=monthly, footprint=window["footprint"] if window else [],
                        referrals=referrals, edition=edition,
                        window=window)


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
    window: dict | None = None  # the window's figures (nominal_window), for users who may read the records


def nominal_window(*, user, nominal, start: date, end: date) -> dict | None:
    """The nominal's figures in start..end, each a link to the force's records list that adds up to it.

    The records located in the force linked to the nominal other than as victim or witness (each with
    its weight in the SOC harm of the active measures, 0 when none counts it), and the nominal's own
    nominal-months counted at home. None for a user who may not read the force's records.
    """
    force = force_area()
    if force is None or not can_view_records(user, force):
        return None
    filters = {"counted_by": COUNTED_ALL, "nominal": nominal.pk}
    selection = dict(user=user, area=force, start=start, end=end, filters=filters)
    records, harm = area_records_totals(**selection)
    months = area_nominal_months(**selection)
    window = window_params(months=len(months_between(start, end)), end=end)
    months_harm = sum(m.harm for m in months)
    return {"start": start, "end": end, "records": records, "records_harm": harm, "nominal_months": len(months),
            "nominal_harm": months_harm, "count": records + len(months), "harm": harm + months_harm,
            "link": records_url(force.pk, window, **filters)}


def nominal_profile(*, user, nominal_id, request=None, start: date | None = None,
                    end: date | None = None, audit_detail: dict | None = None) -> NominalProfile:
    """A nominal's groups, linked records and harm over time, associates, and referrals with harm before/after.

    Audited as a view of the nominal, with ``audit_detail``."""
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
                 request=request, detail=audit_detail)
    return NominalProfile(
        nominal=nominal,
        memberships=list(nominal.memberships.select_related("group").order_by("started_on")),
        priority_periods=list(nominal.priority_periods.order_by("started_on")),
        records=records, harm_total=sum(h for _, h, _ in monthly), monthly=monthly,
        associates=associates, referrals=referrals, edition=edition,
        window=nominal_window(user=user, nominal=nominal, start=start, end=end) if start else None,
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


def nominals_search(*, user, query: str = "", limit: int | None = 100, request=None,
                    audit_detail: dict | None = None):
    """The nominals a user may research, by reference or name (``limit`` None: all, for a paginator).

    A search is audited: looking a person up by name is access to police data about them, even when
    nothing is opened. So is a list without a query given ``audit_detail`` (the API's, which can page
    through every name, where the page shows the first hundred)."""
    nominals = nominals_visible(user).select_related("home_sector")
    if query:
        nominals = nominals.filter(Q(ref__icontains=query) | Q(name__icontains=query))
    if query or audit_detail is not None:
        audit_record(user=user, action=AuditEvent.Action.VIEW, object_type="nominal_search",
                     detail={"query": query, **(audit_detail or {})}, request=request)
    return nominals.annotate(groups=Count("memberships", distinct=True)).order_by("ref")[:limit]
