from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("project/<int:project_pk>/start/", views.report_start, name="start"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("<int:pk>/<str:action>/", views.report_transition, name="transition"),
]
