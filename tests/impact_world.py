"""Eight square sectors in a row, S0 targeted by an activity in July 2023: the impact tests' world.

Every crime is a drug supply offence (counted by the drug-supply measure) weighing its offence's
CSS weight, A = 100 or B = 10, placed on the 10th of a month cycling through the six months from
the window's start. With 6-month windows, before is January to June 2023 and after August 2023 to
January 2024. Tests work their expected figures out from PLAN.
"""
from datetime import date
from types import SimpleNamespace

from core.months import add_months
from records.models import RecordKind
from scoring.services import scores_recompute
from sectors.models import Level
from tests import factories as f

A, B = 100.0, 10.0
BEFORE, AFTER = date(2023, 1, 1), date(2023, 8, 1)
# sector -> ((A crimes, B crimes) before, (A crimes, B crimes) after)
PLAN = {
    "S0": ((30, 5), (2, 0)),  # targeted: a fall
    "S1": ((10, 0), (9, 0)),  # the buffer
    "S2": ((5, 0), (5, 0)),
    "S3": ((28, 0), (27, 1)),
    "S4": ((31, 0), (30, 0)),
    "S5": ((50, 0), (50, 0)),
    "S6": ((29, 0), (29, 3)),
    "S7": ((2, 0), (2, 0)),
}
SIZE = 0.02


def _crimes(sector, offence, n: int, first: date) -> None:
    for i in range(n):
        f.RecordFactory(place=sector, offence_type=offence, drug_supply=True, kind=RecordKind.CRIME,
                        occurred_on=add_months(first, i % 6).replace(day=10))


def build_row() -> SimpleNamespace:
    """The sectors, records and stored scores, and the activity."""
    edition = f.CssEditionFactory(code="impact-css", is_active=True)
    a = f.OffenceWeightFactory(edition=edition, offence_type__code="IA", weight=A).offence_type
    b = f.OffenceWeightFactory(edition=edition, offence_type__code="IB", weight=B).offence_type
    force = f.AreaFactory(level=Level.FORCE, code="F", name="Force")
    command = f.AreaFactory(level=Level.COMMAND, code="C", name="Command", parent=force)
    sectors = {code: f.AreaFactory(level=Level.SECTOR, code=code, name=f"Sector {code[1]}", parent=command,
                                   boundary=f.square(-1.8 + i * SIZE, 55.0, SIZE)) for i, code in enumerate(PLAN)}
    for code, ((a0, b0), (a1, b1)) in PLAN.items():
        _crimes(sectors[code], a, a0, BEFORE)
        _crimes(sectors[code], b, b0, BEFORE)
        _crimes(sectors[code], a, a1, AFTER)
        _crimes(sectors[code], b, b1, AFTER)
    # During the activity: in neither window.
    f.RecordFactory(place=sectors["S0"], offence_type=a, drug_supply=True, occurred_on=date(2023, 7, 10))
    scores_recompute()
    activity = f.ActivityFactory(ref="OP-ROW", title="Operation Row", started_on=date(2023, 7, 1),
                                 ended_on=date(2023, 7, 31), areas=[sectors["S0"]])
    return SimpleNamespace(sectors=sectors, activity=activity, edition=edition)
