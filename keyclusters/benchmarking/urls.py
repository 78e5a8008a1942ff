from django.urls import path

from . import views

app_name = "benchmarking"
urlpatterns = [
    path("", views.edition_list, name="edition-list"),
    path("new/", views.edition_create, name="edition-create"),
    path("<int:pk>/", views.edition_detail, name="edition-detail"),
    path("<int:pk>/report/", views.edition_report, name="edition-report"),
    path("<int:pk>/progress/", views.report_progress, name="report-progress"),
    path("<int:pk>/details/", views.edition_details, name="edition-details"),
    path("<int:pk>/participants/", views.edition_participants, name="edition-participants"),
    path("<int:pk>/import/<str:kind>/", views.edition_import, name="edition-import"),
    path("<int:pk>/action/<str:action>/", views.edition_action, name="edition-action"),
    path("<int:pk>/results.json", views.edition_export, name="edition-export"),
    path("<int:pk>/clusters/<int:cluster_pk>/", views.cluster_report, name="cluster-report"),
    path(
        "<int:pk>/clusters/<int:cluster_pk>/pdf/",
        views.cluster_report_pdf,
        name="cluster-report-pdf",
    ),
    path(
        "<int:pk>/clusters/<int:cluster_pk>/texts/",
        views.cluster_report_texts,
        name="cluster-report-texts",
    ),
]
