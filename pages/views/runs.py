"""The scoring pipeline's one action on the pages: retrying a failed run."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from pages.http import post_only
from scoring.permissions import can_manage_scoring_runs
from scoring.services import scoring_run_retry


def _manage_runs(request, **_) -> None:
    if not can_manage_scoring_runs(request.user):
        raise Http404


@post_only(_manage_runs)
def run_retry(request, run_id):
    run = scoring_run_retry(run_id=run_id, user=request.user)
    messages.success(request, f"Scoring run #{run.pk} is {run.get_status_display()}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    return redirect(target)
