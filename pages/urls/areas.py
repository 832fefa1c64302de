from django.urls import path

from pages.views import areas as views
from pages.views import method

app_name = "sectors"
urlpatterns = [
    path("sectors/", views.overview, name="overview"),
    path("sectors/export.csv", views.overview_export, name="overview_export"),
    path("sectors/<int:area_id>/", views.area, name="area"),
    path("sectors/<int:area_id>/records.csv", views.area_records_export, {"fmt": "csv"}, name="records_csv"),
    path("sectors/<int:area_id>/records.geojson", views.area_records_export, {"fmt": "geojson"},
         name="records_geojson"),
]
urlpatterns += [
    path("themes/", views.themes, name="themes"),
    path("themes/<slug:slug>/", views.theme, name="theme"),
    path("themes/<slug:slug>/export.csv", views.theme_export, name="theme-export"),
    path("method/", method.method, name="method"),
    path("demand/", views.demand, name="demand"),
    path("demand/export.csv", views.demand_export, {"fmt": "csv"}, name="demand_csv"),
    path("demand/export.xlsx", views.demand_export, {"fmt": "xlsx"}, name="demand_xlsx"),
]
