from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("gaps/", views.gaps, name="gaps"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("suggest/", views.suggest, name="suggest"),
    path("rubric/<int:pk>/review/", views.rubric_review, name="rubric_review"),
]
