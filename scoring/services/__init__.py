"""All writes of the scoring app. Import from here: ``from scoring.services import scores_recompute``."""
from scoring.services.css import (
    CssFileError,
    css_edition_activate,
    css_edition_load,
    policeuk_code,
    policeuk_offence_type,
)
from scoring.services.recompute import (
    NoActiveEdition,
    css_edition_switch,
    scores_recompute,
    scores_recompute_request,
    scoring_run_claim,
)

__all__ = [
    "CssFileError", "NoActiveEdition", "css_edition_activate", "css_edition_load", "css_edition_switch",
    "policeuk_code", "policeuk_offence_type", "scores_recompute", "scores_recompute_request", "scoring_run_claim",
]

