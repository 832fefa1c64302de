"""The impact of diversion referrals on hand-built people; expected figures worked out here from PLAN.

Scheme "Mentoring": R1, R2, R3 referred on 15 July 2023 (6-month windows: January to June 2023
before, August 2023 to January 2024 after). Never referred: C1 to C4. Offences: A = 100, B = 10.
"""
import random
from datetime import date

import pytest
from django.http import Http404

from nominals.models import DiversionReferral, LinkRole
from nominals.services import nominal_access_grant
from sectors.models import Level
from tasking import formulas
from tasking.formulas import Cell, Group
from tasking.selectors.referrals import match_nearest, referral_impact, windows_of
from tests import factories as f

pytestmark = pytest.mark.django_db

A, B = 100.0, 10.0
REFERRED = date(2023, 7, 15)
BEFORE, AFTER = date(2023, 3, 10), date(2023, 10, 10)
# ref -> ((A, B) linked before, (A, B) linked after)
PLAN = {
    "R1": ((3, 1), (1, 0)),
    "R2": ((1, 0), (1, 2)),
    "R3": ((0, 0), (0, 1)),
    "C1": ((3, 0), (3, 0)),
    "C2": ((1, 1), (2, 0)),
    "C3": ((0, 0), (0, 0)),
    "C4": ((1, 0), (0, 0)),
}
MATCHES = {"R1": "C1", "R2": "C4", "R3": "C3"}  # nearest harm before: 310 ~ 300, 100 = 100, 0 = 0


@pytest.fixture
def people(db):
    edition = f.CssEditionFactory(code="referral-css", is_active=True)
    a = f.OffenceWeightFactory(edition=edition, offence_type__code="RA", weight=A).offence_type
    b = f.OffenceWeightFactory(edition=edition, offence_type__code="RB", weight=B).offence_type
    force = f.AreaFactory(level=Level.FORCE, code="F", name="Force")
    sector = f.AreaFactory(level=Level.SECTOR, code="S", name="Sector", parent=force)
    nominals = {ref: f.NominalFactory(ref=ref) for ref in PLAN}
    for ref, windows in PLAN.items():
        for day, (n_a, n_b) in zip((BEFORE, AFTER), windows):
            for offence, n in ((a, n_a), (b, n_b)):
                for _ in range(n):
                    record = f.RecordFactory(place=sector, offence_type=offence, occurred_on=day)
                    f.RecordNominalFactory(record=record, nominal=nominals[ref], role=LinkRole.SUSPECT)
    # Linked twice to R1 (suspect and offender): counted once. As a victim: not counted.
    twice = f.RecordFactory(place=sector, offence_type=a, occurred_on=BEFORE)
    f.RecordNominalFactory(record=twice, nominal=nominals["R1"], role=LinkRole.SUSPECT)
    f.RecordNominalFactory(record=twice, nominal=nominals["R1"], role=LinkRole.OFFENDER)
    victim = f.RecordFactory(place=sector, offence_type=a, occurred_on=AFTER)
    f.RecordNominalFactory(record=victim, nominal=nominals["R1"], role=LinkRole.VICTIM)
    f.RecordFactory(place=sector, offence_type=b, occurred_on=date(2024, 1, 20))  # the data run to January 2024
    for ref in ("R1", "R2", "R3"):
        DiversionReferral.objects.create(ref=f"D-{ref}", nominal=nominals[ref], scheme="Mentoring",
                                         referred_on=REFERRED)
    # A second referral of R1 to the same scheme: only the first counts.
    DiversionReferral.objects.create(ref="D-R1b", nominal=nominals["R1"], scheme="Mentoring",
                                     referred_on=date(2023, 9, 1))
    # A restricted person referred, and a referral whose after window is not over in the data.
    secret = f.NominalFactory(ref="R9", is_restricted=True)
    for _ in range(5):
        record = f.RecordFactory(place=sector, offence_type=a, occurred_on=BEFORE)
        f.RecordNominalFactory(record=record, nominal=secret, role=LinkRole.OFFENDER)
    DiversionReferral.objects.create(ref="D-R9", nominal=secret, scheme="Mentoring", referred_on=REFERRED)
    late = f.NominalFactory(ref="R8")
    DiversionReferral.objects.create(ref="D-R8", nominal=late, scheme="Boxing", referred_on=date(2024, 1, 5))
    return nominals, secret


def _cell(refs, when: int, extra: dict | None = None) -> Cell:
    rows = [(PLAN[r][when][0] + (extra or {}).get(r, 0), PLAN[r][when][1]) for r in refs]
    return Cell(sum(a + b for a, b in rows), sum(a * A + b * B for a, b in rows),
                sum(a * A ** 2 + b * B ** 2 for a, b in rows))


def test_it_compares_the_cohort_with_the_nearest_never_referred(people, analyst):
    result = referral_impact(user=analyst)
    assert windows_of(REFERRED, 6) == ((date(2023, 1, 1), date(2023, 6, 1)), (date(2023, 8, 1), date(2024, 1, 1)))
    (scheme,) = result.schemes
    assert (scheme.scheme, scheme.referrals, scheme.matched) == ("Mentoring", 3, 3)
    assert result.incomplete == 1  # Boxing's referral: its after window runs past January 2024
    twice = {"R1": 1}  # the record linked to R1 twice, before
    cohort = Group(_cell(MATCHES, 0, twice), _cell(MATCHES, 1))
    comparison = Group(_cell(MATCHES.values(), 0), _cell(MATCHES.values(), 1))
    assert (scheme.cohort.before, scheme.cohort.after) == (cohort.before, cohort.after)
    assert (scheme.comparison.before, scheme.comparison.after) == (comparison.before, comparison.after)
    expected = (cohort.after.harm - cohort.before.harm) - (comparison.after.harm - comparison.before.harm)
    assert scheme.harm.value == pytest.approx(expected)
    assert scheme.harm.variance == pytest.approx(cohort.before.harm_sq + cohort.after.harm_sq
                                                 + comparison.before.harm_sq + comparison.after.harm_sq)
    assert scheme.counts.variance == cohort.items + comparison.items
    assert not scheme.enough and scheme.verdict == formulas.TOO_FEW  # 17 and 10 items: below 20


def test_a_restricted_person_is_counted_only_for_those_granted_them(people, analyst, governance):
    nominals, secret = people
    assert referral_impact(user=governance).schemes[0].referrals == 3
    nominal_access_grant(user=analyst, nominal=secret, granted_by=analyst)
    (scheme,) = referral_impact(user=analyst).schemes
    assert scheme.referrals == 4
    assert scheme.cohort.before.harm == pytest.approx(_cell(MATCHES, 0, {"R1": 1}).harm + 5 * A)


def test_it_shows_nothing_to_those_who_may_not_see_impact(people, officer):
    with pytest.raises(Http404):
        referral_impact(user=officer)


def test_it_reads_in_a_bounded_number_of_queries(people, analyst, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        referral_impact(user=analyst)


def test_the_nearest_match_breaks_ties_by_reference_and_uses_each_once():
    candidates = sorted([(90.0, "B", 1), (110.0, "A", 2), (100.0, "C", 3), (0.0, "E", 4), (0.0, "D", 5)])
    assert match_nearest(100.0, candidates, set()) == 3
    assert match_nearest(100.0, candidates, {3}) == 2  # 90 and 110 are as near: "A" before "B"
    assert match_nearest(100.0, candidates, {3, 2}) == 1
    assert match_nearest(5.0, candidates, set()) == 5  # two at 0: "D" before "E"
    assert match_nearest(5.0, candidates, {5}) == 4
    assert match_nearest(1000.0, candidates, set()) == 2
    assert match_nearest(100.0, candidates, {1, 2, 3, 4, 5}) is None


def test_the_search_picks_what_a_full_scan_would():
    rng = random.Random(13)
    candidates = sorted((float(rng.choice([0, 0, 10, 100, 110, 250])), f"N{i:03d}", i) for i in range(60))
    used: set[int] = set()
    for _ in range(50):
        prior = float(rng.choice([0, 5, 100, 105, 180, 400]))
        free = [c for c in candidates if c[2] not in used]
        expected = min(free, key=lambda c: (abs(c[0] - prior), c[1], c[2]))[2]
        assert match_nearest(prior, candidates, used) == expected
        used.add(expected)
