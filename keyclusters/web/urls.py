from django.urls import path

from . import cluster_history, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("clusters/<int:pk>/rounds/", cluster_history.cluster_rounds, name="cluster-rounds"),
]
