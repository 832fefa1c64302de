"""The API's routes. Django's login-required middleware leaves them to DRF, which answers an
anonymous client in JSON (403) instead of redirecting it to the login page."""
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.areas import areas
from api.rankings import rankings


@extend_schema(exclude=True)  # an index of the links below, for a browser
@api_view(["GET"])
def api_root(request):
    return Response({
        "areas": reverse("api-areas", request=request),
        "rankings": reverse("api-rankings", request=request),
        "schema": reverse("api-schema", request=request),
    })


urlpatterns = [
    path("", login_not_required(api_root), name="api-root"),
    path("areas/", login_not_required(areas), name="api-areas"),
    path("rankings/", login_not_required(rankings), name="api-rankings"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
]
