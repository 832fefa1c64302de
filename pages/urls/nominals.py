from django.urls import path

from pages.views import nominals as views

app_name = "nominals"
urlpatterns = [
    path("nominals/groups/", views.groups, name="groups"),
    path("nominals/groups/<int:group_id>/", views.group_detail, name="group"),
    path("nominals/<int:nominal_id>/", views.nominal_detail, name="nominal"),
]
