from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

handler500 = "core.views.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("accounts/", include("core.auth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("strategy/", include("strategy.urls")),
    path("projects/", include("projects.urls")),
    path("plans/", include("plans.urls")),
    path("progress/", include("progress.urls")),
    path("reports/", include("reports.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("inbox/", include("workflow.urls")),
    path("", include("api.urls")),
    path("linkage/", include("linkage.urls")),
    path("checks/", include("checks.urls")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
