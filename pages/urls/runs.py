from django.urls import path

from pages.views import runs as views

app_name = "scoring"
urlpatterns = [
    path("scoring/runs/<int:run_id>/retry/", views.run_retry, name="run-retry"),
]
