from django.urls import path

from pages.views import activities as views

app_name = "activities"
urlpatterns = [
    path("activities/", views.register, name="register"),
    path("activities/new/", views.new, name="new"),
    path("activities/<int:activity_id>/", views.detail, name="detail"),
    path("activities/<int:activity_id>/edit/", views.edit, name="edit"),
]
