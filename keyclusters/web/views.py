from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keyclusters.registry.models import Cluster, Organisation


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "cluster_count": Cluster.objects.count(),
            "organisation_count": Organisation.objects.count(),
        },
    )
