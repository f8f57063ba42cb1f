from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("queue/", views.review_queue, name="queue"),
    path("new/", views.project_create, name="create"),
    path("link-options/", views.link_options, name="link_options"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/revise/", views.project_revise, name="revise"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("<int:pk>/<str:action>/", views.project_transition, name="transition"),
]
