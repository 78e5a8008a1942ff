from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="surveys"),
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("a/<str:token>/", views.answer, name="answer"),
]
