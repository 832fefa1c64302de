"""The impact of diversion referrals: per scheme, harm linked to the people referred before and after.

Each referral has its own windows: the N whole months before the month of referral and the N
whole months after it (that month in neither), as on the nominal's profile. Linked harm: the
records linked to the person other than as victim or witness, each once, weighing its offence's
CSS weight in the active edition (0 for a record without one), the nominal profile's harm. The
comparison: for each referred person, the nominal never referred whose linked harm in the same
before window is nearest, each used once per scheme, counted over the same windows. The test is
the WDD without buffers (tasking.formulas). Nobody is named: only schemes and totals are returned,
and restricted nominals are counted only for users granted them (nominals.permissions).
"""
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, F, FilteredRelation, FloatField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from core.months import add_months, month_start
from nominals.models import DiversionReferral, RecordNominal
from nominals.permissions import nominals_countable
from scoring.models import CssEdition
from scoring.selectors.items import COUNTED_LINK_ROLES, located_span
from tasking import formulas
from tasking.formulas import Cell, Group
from tasking.permissions import can_see_impact
from tasking.selectors.impact import CAVEATS, DEFAULT_MONTHS, MAX_MONTHS

REFERRAL_CAVEATS = [
    "Regression to the mean: people are usually referred when their offending is at a peak, and it tends to "
    "fall back afterwards whatever is done. A comparison of similar harm before reduces this, but cannot "
    "remove it.",
    "No random assignment: the people referred were chosen, and whatever led to their referral (age, "
    "circumstances, a custody, a move away) may differ from the comparison and cause the difference.",
    "Linked harm is what police records link to a person; time in custody or away from the area lowers it "
    "without any change in behaviour.",
    CAVEATS[2],
]

Monthly = dict[int, dict[date, tuple[int, float, float]]]  # nominal -> month -> (records, harm, squares)


@dataclass
class SchemeImpact:
    scheme: str
    referrals: int  # people referred (first referral to the scheme of each), with complete windows
    matched: int  # of whom had a comparison person
    cohort: Group
    comparison: Group
    harm: formulas.Estimate
    counts: formulas.Estimate
    enough: bool
    verdict: str

    @property
    def verdict_text(self) -> str:
        return formulas.VERDICTS[self.verdict]


@dataclass
class ReferralImpact:
    months: int
    schemes: list[SchemeImpact]
    last_month: date | None
    incomplete: int  # referrals left out: their after window is not over in the data
    minimum: int = formulas.MIN_ITEMS
    caveats: list[str] = field(default_factory=lambda: list(REFERRAL_CAVEATS))


def windows_of(referred_on: date, months: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """(before first, before last), (after first, after last) months around the month of referral."""
    month = month_start(referred_on)
    return (add_months(month, -months), add_months(month, -1)), (add_months(month, 1), add_months(month, months))


def linked_monthly(*, nominals, start: date, end: date, edition: CssEdition | None) -> Monthly:
    """Records, harm and squared harm linked to each of ``nominals`` (a queryset) per month, in SQL.

    A record linked to the same person in two roles is counted once (the first of its links).
    """
    first_link = ~Exists(RecordNominal.objects.filter(COUNTED_LINK_ROLES, record_id=OuterRef("record_id"),
                                                      nominal_id=OuterRef("nominal_id"), pk__lt=OuterRef("pk")))
    links = RecordNominal.objects.filter(COUNTED_LINK_ROLES, nominal__in=nominals, record__month__gte=start,
                                         record__month__lte=end).filter(first_link)
    if edition is None:
        links = links.annotate(weight=Value(0.0, output_field=FloatField()))
    else:
        links = links.annotate(
            css=FilteredRelation("record__offence_type__weights",
                                 condition=Q(record__offence_type__weights__edition=edition)),
            weight=Coalesce("css__weight", Value(0.0), output_field=FloatField()))
    rows = (links.values("nominal_id", "record__month")
            .annotate(n=Count("id"), h=Sum("weight"), h2=Sum(F("weight") * F("weight"))).order_by())
    found: Monthly = {}
    for row in rows:
        found.setdefault(row["nominal_id"], {})[row["record__month"]] = (row["n"], row["h"] or 0.0, row["h2"] or 0.0)
    return found


def _cell(monthly: dict[date, tuple[int, float, float]], first: date, last: date) -> Cell:
    rows = [value for month, value in monthly.items() if first <= month <= last]
    return Cell(sum(r[0] for r in rows), sum(r[1] for r in rows), sum(r[2] for r in rows))


def _add(a: Cell, b: Cell) -> Cell:
    return Cell(a.count + b.count, a.harm + b.harm, a.harm_sq + b.harm_sq)


Candidates = list[tuple[float, str, int]]  # (harm before, reference, id), sorted


def candidates_by_harm(pool: Monthly, refs: dict[int, str], first: date, last: date) -> Candidates:
    """Every never-referred nominal with their linked harm in first..last (0 without a linked record), sorted."""
    return sorted((_cell(pool[pk], first, last).harm if pk in pool else 0.0, ref, pk) for pk, ref in refs.items())


def match_nearest(prior: float, candidates: Candidates, used: set[int]) -> int | None:
    """The unused candidate whose harm before is nearest ``prior`` (ties by reference, then id).

    A binary search in the sorted candidates, then a walk past the used ones on either side.
    """
    at = bisect_left(candidates, (prior,))
    right = next((c for c in candidates[at:] if c[2] not in used), None)
    left = next((c for c in reversed(candidates[:at]) if c[2] not in used), None)
    if left is not None:  # among equal harms on the left, the first by reference
        same = bisect_left(candidates, (left[0],))
        left = next(c for c in candidates[same:at] if c[2] not in used)
    found = [c for c in (left, right) if c is not None]
    if not found:
        return None
    return min(found, key=lambda c: (abs(c[0] - prior), c[1], c[2]))[2]


def referral_impact(*, user, months: int = DEFAULT_MONTHS) -> ReferralImpact:
    """Per scheme, the cohort's linked harm before and after referral against a matched comparison."""
    if not can_see_impact(user):
        raise Http404("No such page")
    months = max(1, min(MAX_MONTHS, int(months)))
    countable = nominals_countable(user)
    _, last_month = located_span()
    firsts: dict[tuple[str, int], DiversionReferral] = {}
    for referral in DiversionReferral.objects.filter(nominal__in=countable).order_by("referred_on", "ref"):
        firsts.setdefault((referral.scheme, referral.nominal_id), referral)
    complete = [r for r in firsts.values()
                if last_month is not None and windows_of(r.referred_on, months)[1][1] <= last_month]
    result = ReferralImpact(months=months, schemes=[], last_month=last_month,
                            incomplete=len(firsts) - len(complete))
    if not complete:
        return result
    start = min(windows_of(r.referred_on, months)[0][0] for r in complete)
    end = max(windows_of(r.referred_on, months)[1][1] for r in complete)
    edition = CssEdition.objects.filter(is_active=True).first()
    never_referred = countable.filter(referrals__isnull=True)
    cohort_ids = {r.nominal_id for r in complete}
    linked = linked_monthly(nominals=countable.filter(pk__in=cohort_ids), start=start, end=end, edition=edition)
    pool = linked_monthly(nominals=never_referred, start=start, end=end, edition=edition)
    refs = dict(never_referred.values_list("id", "ref"))
    for scheme in sorted({r.scheme for r in complete}):
        result.schemes.append(_scheme(scheme, [r for r in complete if r.scheme == scheme], months, linked, pool,
                                      refs))
    return result


def _scheme(scheme: str, referrals: list[DiversionReferral], months: int, linked: Monthly, pool: Monthly,
            refs: dict[int, str]) -> SchemeImpact:
    cohort = [Cell(), Cell()]
    comparison = [Cell(), Cell()]
    used: set[int] = set()
    matched = 0
    by_window: dict[date, Candidates] = {}  # referrals of the same month share their candidates
    for referral in referrals:
        (b0, b1), (a0, a1) = windows_of(referral.referred_on, months)
        own = linked.get(referral.nominal_id, {})
        before = _cell(own, b0, b1)
        cohort = [_add(cohort[0], before), _add(cohort[1], _cell(own, a0, a1))]
        if b0 not in by_window:
            by_window[b0] = candidates_by_harm(pool, refs, b0, b1)
        chosen = match_nearest(before.harm, by_window[b0], used)
        if chosen is None:
            continue
        used.add(chosen)
        matched += 1
        theirs = pool.get(chosen, {})
        comparison = [_add(comparison[0], _cell(theirs, b0, b1)), _add(comparison[1], _cell(theirs, a0, a1))]
    t = Group(cohort[0], cohort[1])
    c = Group(comparison[0], comparison[1], formulas.comparison_weight(stands_for=len(referrals), areas=matched))
    harm = formulas.wdd(t, c, harm=True)
    enough = formulas.enough_items(t, c)
    return SchemeImpact(scheme=scheme, referrals=len(referrals), matched=matched, cohort=t, comparison=c, harm=harm,
                        counts=formulas.wdd(t, c, harm=False), enough=enough,
                        verdict=formulas.verdict(harm, enough=enough))
