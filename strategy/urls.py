from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("", views.edition_list, name="editions"),
    path("search/", views.search, name="search"),
    path("node/<int:pk>/", views.node_detail, name="node"),
    path("<slug:code>/", views.edition_detail, name="edition"),
]
