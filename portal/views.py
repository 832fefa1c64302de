from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.selectors import home_summary


@require_GET  # the same page for everyone: a wrong method gives nothing away
def home(request):
    return render(request, "portal/home.html", {"summary": home_summary(user=request.user)})


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
