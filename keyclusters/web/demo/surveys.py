"""The demo's member survey: the demo coordinator's cluster asked its members about last year.

Opened by the coordinator through the survey service with the shipped framework's questions six
weeks before ``today``, answered seven times anonymously in the following weeks and closed by its
last day, two weeks before ``today``: closed and above the minimum of five answers, so its results
show. Four of the seven answered the optional suggestions question, fewer than five: that question
shows as suppressed. The answers are deterministic (a seeded ``random.Random``).
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
OPENED_DAYS_AGO = 42
CLOSED_DAYS_AGO = 14  # its last day of answers
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
    opened_on = today - dt.timedelta(days=OPENED_DAYS_AGO)
    survey = services.open_survey(
        cluster=cluster, year=year, closes_on=today - dt.timedelta(days=CLOSED_DAYS_AGO),
        by=coordinator, today=opened_on,
    )  # fmt: skip
    rng = random.Random(year)
    for index in range(ANSWERS):
        raw = {
            "coordinator_services": str(rng.choice([3, 4, 4, 5, 5])),
            "joint_projects_useful": rng.choice(["very", "somewhat", "somewhat", "none"]),
            "would_recommend": str(rng.choice([6, 7, 8, 9, 9, 10])),
            "suggestions": SUGGESTIONS[index],
        }
        answered_on = opened_on + dt.timedelta(days=3 * index)  # days 0 to 18 after opening
        services.submit_answers(survey=survey, raw=raw, today=answered_on)
    return survey
