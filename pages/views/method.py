"""The method page: how every figure on the ranking pages is made."""
from django.http import Http404
from django.shortcuts import render

from pages.http import get_only
from pages.selectors.method import method_page
from scoring.permissions import can_see_rankings


def _rankings(request, **_) -> None:
    if not can_see_rankings(request.user):
        raise Http404("No such page")


@get_only(_rankings)
def method(request):
    return render(request, "scoring/method.html", method_page(user=request.user))
