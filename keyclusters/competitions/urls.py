from django.urls import path

from . import downloads, receipts, rulebook_views, views

app_name = "competitions"
urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("calls/new/", rulebook_views.call_create, name="call-create"),
    path("calls/<int:pk>/", views.call_detail, name="call-detail"),
    path("rulebooks/", rulebook_views.rulebook_list, name="rulebook-list"),
    path("rulebooks/<int:pk>/", rulebook_views.rulebook_detail, name="rulebook-detail"),
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
    path(
        "applications/<int:pk>/confirmation.pdf",
        receipts.submission_confirmation,
        name="submission-confirmation",
    ),
    path(
        "applications/<int:pk>/documents/<slug:field_id>/",
        downloads.application_document,
        name="application-document",
    ),
]
