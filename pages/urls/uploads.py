from django.urls import path

from pages.views import uploads as views

app_name = "ingestion"
urlpatterns = [
    path("uploads/", views.upload_list, name="list"),
    path("uploads/new/", views.upload_new, name="new"),
    path("uploads/templates/<slug:kind>.csv", views.upload_template, name="template"),
    path("uploads/<int:upload_id>/", views.upload_detail, name="detail"),
    path("uploads/<int:upload_id>/status.json", views.upload_status, name="status"),
    path("uploads/<int:upload_id>/process-again/", views.upload_process_again, name="process_again"),
    path("uploads/<int:upload_id>/report.csv", views.upload_report, name="report"),
    path("uploads/<int:upload_id>/original", views.upload_original, name="original"),
]
