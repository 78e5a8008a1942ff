"""The REST API: the routers of the apps under /api/v1/."""

from ninja import NinjaAPI

from keyclusters import __version__
from keyclusters.registry.api import router as registry_router

api = NinjaAPI(
    title="keyclusters API",
    version=__version__,
    description="Registry of clusters, key cluster statuses and membership verification.",
    urls_namespace="api",
)
api.add_router("/clusters", registry_router)
