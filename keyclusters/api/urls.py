"""The REST API: the routers of the apps under /api/v1/."""

from ninja import NinjaAPI

from keyclusters import __version__
from keyclusters.benchmarking.api import router as benchmarking_router
from keyclusters.evaluation.api import router as evaluation_router
from keyclusters.registry.api import router as registry_router
from keyclusters.statuses.api import router as statuses_router

api = NinjaAPI(
    title="keyclusters API",
    version=__version__,
    description="Registry of clusters, key cluster statuses and membership verification.",
    urls_namespace="api",
)
api.add_router("/clusters", registry_router)
api.add_router("/", statuses_router)  # /verification, /certificates
api.add_router("/evaluation", evaluation_router)
api.add_router("/benchmarking", benchmarking_router)
