from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("project/<int:project_pk>/", views.project_form, name="project_form"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/download/", views.job_download, name="download"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
]
