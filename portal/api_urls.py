from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from scoring.apis import rankings
from sectors.apis import areas


@api_view(["GET"])
def api_root(request):
    return Response({
        "areas": reverse("api-areas", request=request),
        "rankings": reverse("api-rankings", request=request),
        "schema": reverse("api-schema", request=request),
    })


urlpatterns = [
    path("", api_root, name="api-root"),
    path("areas/", areas, name="api-areas"),
    path("rankings/", rankings, name="api-rankings"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
