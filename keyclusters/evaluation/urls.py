from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.my_assignments, name="my-assignments"),
    path("assignments/<int:pk>/", views.sheet, name="sheet"),
    path("assignments/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("calls/<int:pk>/", views.call_overview, name="call"),
    path("calls/<int:pk>/recommendation/", views.recommendation, name="recommendation"),
    path("applications/<int:pk>/why/", views.why, name="why"),
    path("applications/<int:pk>/consensus/", views.consensus, name="consensus"),
]
