"""The REST API: the routers of the apps under /api/v1/."""

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from keyclusters import __version__
from keyclusters.api.health import router as health_router
from keyclusters.benchmarking.api import router as benchmarking_router
from keyclusters.evaluation.api import router as evaluation_router
from keyclusters.statuses.api import router as statuses_router
from keyclusters.statuses.api_keys import Unavailable as KeyCheckUnavailable
from keyclusters.statuses.cluster_api import router as clusters_router
from keyclusters.statuses.feed import router as feed_router

api = NinjaAPI(
    title="keyclusters API",
    version=__version__,
    description="Registry of clusters, key cluster statuses and membership verification.",
    urls_namespace="api",
)
api.add_router("/clusters", clusters_router)
api.add_router("/", statuses_router)  # /verification, /certificates
api.add_router("/", feed_router)  # /feed.json
api.add_router("/evaluation", evaluation_router)
api.add_router("/benchmarking", benchmarking_router)
api.add_router("/", health_router)  # /health, /ready


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
@api.exception_handler(KeyCheckUnavailable)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database does not answer (and nothing in memory can answer instead): 503."""
    response = api.create_response(
        request,
        {"detail": gettext("The database is unavailable. Try again in a minute.")},
        status=503,
    )
    response["Retry-After"] = "30"
    return response
