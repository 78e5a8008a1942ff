"""The demo's member survey: the demo coordinator's cluster asked its members about last year.

Opened by the coordinator through the survey service with the shipped framework's questions,
still open, with seven anonymous answers (above the minimum of five, so the results show);
the answers are deterministic (a seeded ``random.Random``).
"""

from __future__ import annotations

import datetime as dt
import random

from keyclusters.accounts.models import User
from keyclusters.monitoring import services as monitoring
from keyclusters.monitoring.selectors import latest_framework
from keyclusters.registry.models import Cluster
from keyclusters.surveys import services
from keyclusters.surveys.models import Survey

ANSWERS = 7
SUGGESTIONS = [
    "Więcej spotkań branżowych poza stolicą województwa.",
    "Wcześniejsza informacja o naborach na wspólne projekty.",
    "",
    "Szkolenia z zamówień publicznych dla małych firm.",
    "",
    "",
    "Lepszy dostęp do laboratoriów partnerów naukowych.",
]


def build_survey(*, coordinator: User, today: dt.date) -> Survey | None:
    """The survey of last year for the first cluster the coordinator's organisation coordinates
    that held a status then (none when there is no such cluster)."""
    if latest_framework() is None:
        monitoring.store_shipped_framework()
    stored = latest_framework()
    if stored is None or stored.parsed.survey is None or not coordinator.organisation_id:
        return None
    year = today.year - 1
    holders = monitoring.holders_in(year, stored.parsed.status_type)
    cluster = (
        Cluster.objects.filter(coordinator_id=coordinator.organisation_id, pk__in=list(holders))
        .order_by("pk")
        .first()
    )
    if cluster is None:
        return None
    survey = services.open_survey(
        cluster=cluster, year=year, closes_on=today + dt.timedelta(days=30), by=coordinator,
        today=today,
    )  # fmt: skip
    rng = random.Random(year)
    for index in range(ANSWERS):
        raw = {
            "coordinator_services": str(rng.choice([3, 4, 4, 5, 5])),
            "joint_projects_useful": rng.choice(["very", "somewhat", "somewhat", "none"]),
            "would_recommend": str(rng.choice([6, 7, 8, 9, 9, 10])),
            "suggestions": SUGGESTIONS[index],
        }
        services.submit_answers(survey=survey, raw=raw, today=today)
    return survey
