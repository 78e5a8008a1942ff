from django.urls import path, re_path

from . import feed, member_views, views

app_name = "statuses"
urlpatterns = [
    path("", views.registry, name="registry"),
    re_path(r"^registry\.(?P<format>csv|json)$", views.registry_export, name="registry-export"),
    path("feed.atom", feed.atom, name="feed"),
    path("clusters/<int:pk>/", views.cluster_history, name="cluster-history"),
    path("grants/<int:grant_pk>/certificate/", views.status_certificate, name="status-certificate"),
    path("grants/<int:grant_pk>/withdraw/", views.withdraw, name="withdraw"),
    path("verify/", views.verify, name="verify"),
    path("instruments/", views.instrument_catalogue, name="instruments"),
    path("membership-certificate/", views.membership_certificate, name="membership-certificate"),
    path("my-certificate/", member_views.my_certificate, name="my-certificate"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("check-certificate/", views.certificate_check, name="certificate-check"),
    path("certificates/<str:code>/", views.certificate, name="certificate"),
    path("certificates/<str:code>/pdf/", views.certificate_pdf, name="certificate-pdf"),
]
