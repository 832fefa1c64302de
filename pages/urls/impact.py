from django.urls import path

from pages.views import impact as views

app_name = "impact"
urlpatterns = [
    path("impact/", views.overview, name="overview"),
    path("impact/referrals/", views.referrals, name="referrals"),
    path("impact/export.csv", views.export, name="export"),
    path("activities/<int:activity_id>/impact/", views.for_activity, name="activity"),
]
