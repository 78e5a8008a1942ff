from django.urls import path

from . import commission_views, decision_views, document_views, expert_views, panel_views, views

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
    path("calls/<int:pk>/commission/", commission_views.commission_page, name="commission"),
    path("calls/<int:pk>/recommendation/sign/", commission_views.sign, name="sign"),
    path("calls/<int:pk>/results/", decision_views.call_results, name="results"),
    path("decisions/", decision_views.decision_list, name="decisions"),
    path("decisions/<int:pk>/record.pdf", decision_views.decision_record, name="decision-record"),
    path("calls/<int:pk>/document/", document_views.document_page, name="document"),
    path("panel/sessions/<int:pk>/", panel_views.session_page, name="panel-session"),
    path("panel/slots/<int:pk>/", panel_views.invitation, name="panel-invitation"),
    path("panel/slots/<int:pk>/presentation/", panel_views.presentation, name="panel-presentation"),
    path("applications/<int:pk>/why/", views.why, name="why"),
    path("applications/<int:pk>/consensus/", views.consensus, name="consensus"),
]
