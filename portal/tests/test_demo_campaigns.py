"""The demo's campaigns as written (no database): what the records around them can show depends on their dates."""
from datetime import date

from core.months import add_months
from portal.demo_activities import EFFECT_MONTHS, effect_window
from portal.demo_campaigns import CAMPAIGNS, NONE, Act, Campaign
from portal.demo_synthetic import FIRST_MONTH, MONTHS
from tasking.models import ActivityKind

FIRST_REAL_MONTH = date(2022, 12, 1)  # the first data.police.uk month in data/policeuk_northumbria


def test_it_gives_every_activity_its_own_reference_and_covers_every_kind():
    acts = [act for campaign in CAMPAIGNS for act in campaign.acts]
    refs = [act.ref for act in acts]
    assert len(set(refs)) == len(refs) and all(ref.startswith("SYN-ACT-") for ref in refs)
    assert 25 <= len(acts) <= 40
    assert {act.kind for act in acts} == set(ActivityKind.values)
    assert all(act.ended_on is None or act.ended_on >= act.started_on for act in acts)


def test_it_keeps_the_windows_of_every_effect_inside_the_synthetic_months_and_before_the_real_ones():
    last_synthetic = add_months(FIRST_MONTH, MONTHS - 1)
    for campaign in CAMPAIGNS:
        if campaign.effect == NONE:
            continue
        start = min(act.started_on for act in campaign.acts).replace(day=1)
        end = max(act.ended_on or act.started_on for act in campaign.acts).replace(day=1)
        assert add_months(start, -EFFECT_MONTHS) >= FIRST_MONTH, campaign.group
        assert add_months(end, EFFECT_MONTHS) < FIRST_REAL_MONTH <= last_synthetic, campaign.group


def test_it_shapes_the_days_after_a_campaign_to_the_end_of_its_sixth_month_after():
    campaign = Campaign("SYN-OCG-99", NONE, [Act("SYN-ACT-98", ActivityKind.ARREST, "force", "a", date(2022, 1, 5)),
                                            Act("SYN-ACT-99", ActivityKind.WARRANT, "force", "b", date(2022, 1, 20),
                                                date(2022, 2, 3))])
    assert effect_window(campaign) == (date(2022, 2, 3), date(2022, 8, 31))
