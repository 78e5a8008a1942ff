from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.cluster_list, name="cluster-list"),
    path("mine/", views.my_clusters, name="my-clusters"),
    path("<int:pk>/", views.cluster_detail, name="cluster-detail"),
]
