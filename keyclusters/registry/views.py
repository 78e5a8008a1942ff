from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Cluster


def cluster_list(request: HttpRequest) -> HttpResponse:
    clusters = Cluster.objects.with_member_counts().select_related("coordinator")
    return render(request, "registry/cluster_list.html", {"clusters": clusters})


def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    return render(request, "registry/cluster_detail.html", {"cluster": cluster})


@login_required
def my_clusters(request: HttpRequest) -> HttpResponse:
    clusters = Cluster.objects.filter(coordinator=request.user.organisation)
    return render(request, "registry/cluster_list.html", {"clusters": clusters})
