from django.urls import path

from pages.views import network, nominals as views

app_name = "nominals"
urlpatterns = [
    path("nominals/groups/", views.groups, name="groups"),
    path("nominals/groups/<int:group_id>/", views.group_detail, name="group"),
    path("nominals/network/", network.page, name="network"),
    path("nominals/network/edges.csv", network.edges_csv, name="network_edges"),
    path("nominals/network/graph.graphml", network.graphml, name="network_graphml"),
    path("nominals/<int:nominal_id>/", views.nominal_detail, name="nominal"),
]
