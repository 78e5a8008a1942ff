"""The key cluster status badge, shown wherever a cluster is (the web layer composes the apps)."""

from __future__ import annotations

from django import template
from django.db.models import Q
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("web/includes/key_status.html")
def key_status(cluster) -> dict:
    from keyclusters.statuses.models import StatusGrant

    today = timezone.localdate()
    grant = (
        StatusGrant.objects.filter(cluster=cluster, valid_from__lte=today, valid_to__gte=today)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .order_by("-valid_to")
        .first()
    )
    return {"grant": grant, "cluster": cluster}
