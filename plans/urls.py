from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("queue/", views.review_queue, name="queue"),
    path("new/", views.plan_create, name="create"),
    path("import/", views.plan_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("project/<int:project_pk>/", views.project_plans, name="project"),
    path(
        "project/<int:project_pk>/<int:link_pk>/delete/",
        views.project_unlink,
        name="project_unlink",
    ),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/document/", views.plan_document, name="document"),
    path("<int:pk>/<str:action>/", views.plan_transition, name="transition"),
]
