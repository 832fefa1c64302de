"""All reads of the scoring app; each takes the user. ``from scoring import selectors``."""
from scoring.selectors.drilldown import (
           ContributingItem,
           area_series,
           contributing_records,
)
from scoring.selectors.ranking import (
           Ranking,
           RankingRow,
           default_window_end,
           latest_month,
           ranking,
)

__all__ = ["ContributingItem", "Ranking", "RankingRow", "area_series", "contributing_records", "default_window_end",
           "latest_month", "ranking"]
