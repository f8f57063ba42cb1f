from django.urls import path

from . import views

app_name = "checks"
urlpatterns = [
    path("", views.to_fix, name="to_fix"),
    path("run/", views.run_now, name="run"),
]
