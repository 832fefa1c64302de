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
)
from scoring.services.reference import (
    css_edition_delete,
    css_edition_save,
    measure_delete,
    measure_save,
    offence_weight_delete,
    offence_weight_save,
)
from scoring.services.runs import (
    scores_recompute_request,
    scores_recompute_request_all,
    scoring_run_claim,
    scoring_run_dispatch,
    scoring_run_execute,
    scoring_run_retry,
    scoring_runs_dispatch_pending,
    scoring_runs_failed,
)

__all__ = [
    "CssFileError", "NoActiveEdition", "css_edition_activate", "css_edition_delete", "css_edition_load",
    "css_edition_save", "css_edition_switch", "measure_delete", "measure_save", "offence_weight_delete",
    "offence_weight_save", "policeuk_code", "policeuk_offence_type", "scores_recompute", "scores_recompute_request",
    "scores_recompute_request_all", "scoring_run_claim", "scoring_run_dispatch", "scoring_run_execute",
    "scoring_run_retry", "scoring_runs_dispatch_pending", "scoring_runs_failed",
]
