from django.urls import path

from . import views

app_name = "council"
urlpatterns = [
    path("", views.index, name="index"),
    path("members/", views.members, name="members"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("documents/<int:pk>/", views.document, name="document"),
]
