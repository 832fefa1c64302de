"""All reads of the scoring app; each takes the user. ``from scoring import selectors``."""
from scoring.selectors.drilldown import (
           ContributingItem,
           area_measure_series,
           area_series,
           contributing_records,
)
from scoring.selectors.ranking import (
           Ranking,
           RankingRow,
           data_span,
           default_window_end,
           latest_month,
           ranking,
)

__all__ = ["ContributingItem", "Ranking", "RankingRow", "area_measure_series", "area_series", "contributing_records",
           "data_span", "default_window_end", "latest_month", "ranking"]
