"""The key cluster status badge, shown wherever a cluster is (the web layer composes the apps)."""

from __future__ import annotations

from django import template
from django.db.models import Q
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("web/includes/key_status.html")
def key_status(cluster) -> dict:
    """A badge per status type the cluster holds today ("Key cluster until …", "Supra-regional
    Growth Cluster until …"), the key cluster status first (the types' order)."""
    from keyclusters.statuses.models import KEY_CLUSTER, StatusGrant

    today = timezone.localdate()
    valid = (
        StatusGrant.objects.filter(cluster=cluster, valid_from__lte=today, valid_to__gte=today)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .select_related("status_type")
        .order_by("status_type__position", "status_type_id", "-valid_to")
    )
    grants: dict[str, StatusGrant] = {}
    for grant in valid:
        grants.setdefault(grant.status_type_id, grant)
    return {
        "grant": grants.pop(KEY_CLUSTER, None),
        "others": list(grants.values()),
        "cluster": cluster,
    }
