from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("agency/<int:pk>/", views.agency_dashboard, name="agency"),
    path("projects/", views.project_list, name="projects"),
]
