from django.urls import path

from nominals import views

app_name = "nominals"
urlpatterns = [
    path("nominals/groups/", views.groups, name="groups"),
    path("nominals/groups/<int:group_id>/", views.group_detail, name="group"),
    path("nominals/<int:nominal_id>/", views.nominal_detail, name="nominal"),
]
