from django.urls import path

from . import expert_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.my_assignments, name="my-assignments"),
    path("assignments/<int:pk>/", views.sheet, name="sheet"),
    path("assignments/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("assignments/<int:pk>/suspension/", expert_views.suspension, name="suspension"),
    path("experts/", expert_views.expert_list, name="experts"),
    path("experts/new/", expert_views.expert_new, name="expert-new"),
    path("experts/<int:pk>/", expert_views.expert_detail, name="expert"),
    path("calls/<int:pk>/", views.call_overview, name="call"),
    path("calls/<int:pk>/recommendation/", views.recommendation, name="recommendation"),
    path("applications/<int:pk>/why/", views.why, name="why"),
    path("applications/<int:pk>/consensus/", views.consensus, name="consensus"),
]
