"""The demo's two tasking packs and the actions their meetings agreed (fictional meetings, real figures).

Prepared through the pack service as the demo analyst, after the scores, so each pack's snapshot is
what the ranking showed for its window. The first meeting looked at the six months to May 2022, in
the middle of the synthetic campaigns: reopened, it shows that ranking however the data has moved
since, and "since this pack" shows what changed. The second looks at the latest six months. Only in
demo mode (the packs need the demo users); marked synthetic; a second load adds nothing.
"""
from datetime import date, timedelta

from django.contrib.auth.models import User

from core.models import Organisation
from core.months import add_months
from scoring.selectors.ranking import latest_month, ranking
from sectors.models import Level
from tasking.models import ActionStatus, Activity, TaskingPack
from tasking.services.actions import action_create
from tasking.services.packs import pack_prepare

FIRST_MEETING_WINDOW_END = date(2022, 5, 1)
WINDOW_MONTHS = 6
SELECTED = 5  # the top sectors each meeting looked at


def _top(user, end_month: date, n: int) -> list[int]:
    ranked = ranking(user=user, level=Level.SECTOR, end_month=end_month, months=WINDOW_MONTHS)
    return [row.area_id for row in sorted(ranked.rows, key=lambda r: r.rank) if row.harm > 0][:n]


def _activities_in(area_id: int, after: date) -> list[Activity]:
    return list(Activity.objects.filter(areas=area_id, started_on__gte=after).order_by("started_on")[:2])


def _meeting(user, *, title: str, end_month: date, notes: str) -> TaskingPack:
    meeting_on = add_months(end_month, 1) + timedelta(days=6)
    pack = pack_prepare(user=user, title=title, meeting_on=meeting_on, area_ids=_top(user, end_month, SELECTED),
                        window_months=WINDOW_MONTHS, end_month=end_month, notes=notes)
    TaskingPack.objects.filter(pk=pack.pk).update(is_synthetic=True)
    return pack


def demo_packs() -> int:
    """Two packs with their actions; 0 when they exist already or there is no demo analyst or no scores."""
    analyst = User.objects.filter(username="analyst").first()
    officer = User.objects.filter(username="officer").first()
    latest = latest_month()
    if analyst is None or latest is None or TaskingPack.objects.filter(is_synthetic=True).exists():
        return 0
    trading_standards = Organisation.objects.get(code="tradingstandards")
    first = _meeting(analyst, title="Force tasking: drug supply and exploitation", end_month=FIRST_MEETING_WINDOW_END,
                     notes="Quarterly tasking. The top five sectors by SOC harm over the six months to May 2022.")
    top = [area for area in first.areas.order_by("name")]
    for i, area in enumerate(top[:3]):
        action_create(
            user=analyst, pack=first, area=area, owner=officer if i != 1 else None,
            owner_organisation=trading_standards if i == 1 else None,
            description=(f"Test-purchase and inspection visits to retailers in {area.name}" if i == 1
                         else f"Disrupt the drug supply lines operating in {area.name}"),
            due_on=first.meeting_on + timedelta(days=60 + 30 * i),
            status=[ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.OPEN][i],
            activities=_activities_in(area.pk, first.meeting_on))
    second = _meeting(analyst, title="Force tasking: latest six months", end_month=latest,
                      notes="Monthly tasking on the latest complete data.")
    for area in list(second.areas.order_by("name"))[:2]:
        action_create(user=analyst, pack=second, area=area, owner=officer,
                      description=f"Problem-solving plan for {area.name}: hotspots, repeat locations and partners",
                      due_on=second.meeting_on + timedelta(days=28))
    return 2
