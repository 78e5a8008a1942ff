from django.urls import path, re_path

from . import ministry_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("mine/", views.my_reports, name="my-reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("reports/<int:pk>/autosave/", views.report_autosave, name="report-autosave"),
    path("reports/<int:pk>/documents/", views.report_documents, name="report-documents"),
    path("documents/<int:pk>/", views.report_document, name="report-document"),
    path("documents/<int:pk>/remove/", views.report_document_remove, name="report-document-remove"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/clusters/<int:pk>/", ministry_views.trajectory, name="trajectory"),
    re_path(r"^open-data\.(?P<format>csv|json)$", ministry_views.open_data, name="open-data"),
]
