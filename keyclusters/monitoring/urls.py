from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("mine/", views.my_reports, name="my-reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("indicators/", views.indicators, name="indicators"),
]
