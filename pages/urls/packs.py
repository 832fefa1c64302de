from django.urls import path

from pages.views import packs as views

app_name = "packs"
urlpatterns = [
    path("tasking/", views.packs, name="list"),
    path("tasking/new/", views.new, name="new"),
    path("tasking/actions/", views.actions, name="actions"),
    path("tasking/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("tasking/<int:pack_id>/", views.detail, name="detail"),
    path("tasking/<int:pack_id>/since/", views.since, name="since"),
    path("tasking/<int:pack_id>/actions/new/", views.action_new, name="action_new"),
    path("tasking/<int:pack_id>/export.pdf", views.export, {"fmt": "pdf"}, name="export_pdf"),
    path("tasking/<int:pack_id>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
]
