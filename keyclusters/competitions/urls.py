from django.urls import path

from . import views

app_name = "competitions"
urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("calls/<int:pk>/", views.call_detail, name="call-detail"),
    path("calls/<int:pk>/dashboard/", views.call_dashboard, name="call-dashboard"),
    path("calls/<int:pk>/applications.<str:fmt>", views.call_export, name="call-export"),
    path(
        "calls/<int:pk>/apply/<int:cluster_pk>/",
        views.start_application,
        name="start-application",
    ),
    path("applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/formal/", views.formal_evaluation, name="formal-evaluation"),
]
