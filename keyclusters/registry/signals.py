"""Signals of the registry.

``rows_written`` is sent (``sender`` the model class) after writes that bypass the models'
``save()`` and ``delete()`` (the bulk imports), inside their transaction; other apps that keep
copies of registry data listen to it as well as to ``post_save`` and ``post_delete``. With
``organisations`` (primary keys) it says the writes concerned the memberships of those
organisations only (an import of members); without it, anything may have changed.

``memberships_changed`` is sent (``sender`` Membership) once the transaction that changed who
belongs to which cluster has committed, with ``clusters`` and ``organisations`` (sets of primary
keys) whose memberships (or whose cluster's coordinator) changed: after every saved or deleted
membership (the services, forms and the admin save them one by one), after a cluster's
coordinator is saved, and once per import of members or clusters. The evaluation re-checks its
experts' conflicts of interest on it; the registry does not know who listens.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import Cluster, Membership

rows_written = Signal()
memberships_changed = Signal()


def announce_memberships_changed(
    *, clusters: Iterable[int] = (), organisations: Iterable[int] = ()
) -> None:
    """Send ``memberships_changed`` after the current transaction commits (at once outside
    one); a receiver's error is logged, never raised to the writer."""
    changed = {
        "clusters": frozenset(c for c in clusters if c is not None),
        "organisations": frozenset(o for o in organisations if o is not None),
    }
    if not (changed["clusters"] or changed["organisations"]):
        return
    transaction.on_commit(
        lambda: memberships_changed.send_robust(sender=Membership, **changed), robust=True
    )


@receiver(post_save, sender=Membership, dispatch_uid="registry-membership-saved")
@receiver(post_delete, sender=Membership, dispatch_uid="registry-membership-deleted")
def _membership_written(sender, instance: Membership, **kwargs) -> None:
    announce_memberships_changed(
        clusters=[instance.cluster_id], organisations=[instance.organisation_id]
    )


@receiver(post_save, sender=Cluster, dispatch_uid="registry-cluster-saved")
def _cluster_saved(sender, instance: Cluster, created: bool, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and "coordinator" not in update_fields):
        return
    announce_memberships_changed(clusters=[instance.pk], organisations=[instance.coordinator_id])
