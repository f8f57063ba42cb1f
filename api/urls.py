"""/api/v1/ (the versioned API), /api/schema/ and /api/docs/ (served offline), and the token
page of the user menu. A new resource is one ``router.register`` line."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from . import pages, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("editions", views.EditionViewSet, basename="edition")
router.register("nodes", views.NodeViewSet, basename="node")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("progress-reports", views.ProgressReportViewSet, basename="progress-report")
router.register("report-jobs", views.ReportJobViewSet, basename="report-job")

v1 = [
    path("me/", views.MeView.as_view(), name="me"),
    path("linkage/suggest/", views.SuggestView.as_view(), name="linkage-suggest"),
    *router.urls,
]

urlpatterns = [
    path("api/v1/", include((v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("account/api-tokens/", pages.tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", pages.revoke, name="api_token_revoke"),
]
