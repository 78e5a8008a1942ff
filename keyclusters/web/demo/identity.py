"""The demo's identity over time: a holder that renamed itself and took a new coordinator.

As KOM became "Evoluma Klaster Przemysłowy" in the real registry, the demo's Silesian
metalworking cluster becomes "Metalia Klaster Przemysłowy" on 1 May 2023 and, the same day,
passes its coordination to a new foundation; the registry, its exports and certificates on a
date before then still show the old name and coordinator.
"""

from __future__ import annotations

import datetime as dt
import random

from keyclusters.registry import identity
from keyclusters.registry.models import Cluster, Organisation

from . import names

RENAMED = "Śląski Klaster Obróbki Metali"
NEW_NAME = "Metalia Klaster Przemysłowy"
NEW_COORDINATOR = "Fundacja Metalia w Gliwicach"
ON = dt.date(2023, 5, 1)


def build_identity(*, operator, today: dt.date) -> Cluster | None:
    """Rename the cluster and change its coordinator (nothing when the demo is too small to
    have it, or the date is not past)."""
    cluster = Cluster.objects.filter(name=RENAMED).select_related("coordinator").first()
    if cluster is None or today <= ON or cluster.founded_on >= ON:
        return None
    identity.rename_cluster(cluster=cluster, name=NEW_NAME, valid_from=ON, by=operator)
    rng = random.Random(2023)
    region = cluster.coordinator.voivodeship or "slaskie"
    seen = set(Organisation.objects.values_list("nip", flat=True))
    foundation = Organisation.objects.create(
        name=NEW_COORDINATOR,
        nip=names.nip(rng, region, seen),
        regon=names.regon(rng, region),
        krs=names.krs(rng),
        kind="business-support",
        voivodeship=region,
        city="Gliwice",
        country="PL",
    )
    identity.change_coordinator(
        cluster=cluster, organisation=foundation, valid_from=ON, by=operator
    )
    return cluster
