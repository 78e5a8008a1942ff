from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from keyclusters.competitions.models import Call
from keyclusters.registry.models import Cluster, Organisation
from keyclusters.statuses.forms import VerifyOneForm
from keyclusters.statuses.models import StatusGrant

from . import dashboards


def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    key_clusters = (
        StatusGrant.objects.filter(valid_from__lte=today, valid_to__gte=today)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .values("cluster")
        .distinct()
        .count()
    )
    return render(
        request,
        "web/home.html",
        {
            "cluster_count": Cluster.objects.count(),
            "key_cluster_count": key_clusters,
            "organisation_count": Organisation.objects.count(),
            "open_calls": Call.objects.filter(state="open").order_by("closes_at")[:3],
        },
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One page with a section for each of the user's roles."""
    sections = dashboards.sections_for(request.user)
    context: dict = {"sections": sections}
    # a member of the Council (an operator finds it in the menu)
    context["council_member"] = "operator" not in sections and request.user.has_perm("council.read")
    if "agency" in sections:
        context["verify_form"] = VerifyOneForm(auto_id="agency-%s")
    return render(request, "web/dashboard.html", context)
