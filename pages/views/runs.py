"""The scoring pipeline's one action on the pages: retrying a failed run."""
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from scoring.services import scoring_run_retry


@require_POST
def run_retry(request, run_id):
    run = scoring_run_retry(run_id=run_id, user=request.user)
    messages.success(request, f"Scoring run #{run.pk} is {run.get_status_display()}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    return redirect(target)
