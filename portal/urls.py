# The admin is not autodiscovered (see settings): its modules are imported here.
import django.contrib.auth.admin  # noqa: F401,E402
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import api.admin  # noqa: F401,E402
import core.admin  # noqa: F401,E402
import ingestion.admin  # noqa: F401,E402
import nominals.admin  # noqa: F401,E402
import scoring.admin  # noqa: F401,E402
import sectors.admin  # noqa: F401,E402
from pages.views import audit
from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", audit.audit_trail, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("pages.urls.areas")),
    path("", include("pages.urls.runs")),
    path("", include("pages.urls.nominals")),
    path("", include("pages.urls.uploads")),
    path("", include("pages.urls.activities")),
    path("", include("pages.urls.packs")),
    path("", include("pages.urls.impact")),
]

handler403 = "pages.views.errors.forbidden"
handler404 = "pages.views.errors.not_found"
handler500 = "pages.views.errors.server_error"
