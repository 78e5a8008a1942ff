from django.contrib import admin
from django.urls import include, path

from keyclusters.api.urls import api

urlpatterns = [
    path("", include("keyclusters.web.urls")),
    path("clusters/", include("keyclusters.registry.urls")),
    path("competitions/", include("keyclusters.competitions.urls")),
    path("evaluation/", include("keyclusters.evaluation.urls")),
    path("statuses/", include("keyclusters.statuses.urls")),
    path("benchmarking/", include("keyclusters.benchmarking.urls")),
    path("monitoring/", include("keyclusters.monitoring.urls")),
    path("council/", include("keyclusters.council.urls")),
    path("surveys/", include("keyclusters.surveys.urls")),
    path("accounts/", include("keyclusters.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
# No URL serves MEDIA_ROOT, in development neither: stored files go out through the apps'
# download views, which check permissions (keyclusters/private_files.py).

handler500 = "keyclusters.web.errors.server_error"
handler404 = "keyclusters.web.errors.not_found"
handler403 = "keyclusters.web.errors.forbidden"
