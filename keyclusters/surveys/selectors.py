"""What the member survey pages read: the surveys a person may see and the results of a survey.

The results are suppressed while the survey is open (comparing them before and after one new
answer would show that answer) and while fewer answers than the framework's ``minimum_answers``
were given; a question answered fewer times than that is suppressed on its own."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet
from django.utils import timezone

from keyclusters.accounts.models import User
from keyclusters.monitoring.models import localized
from keyclusters.monitoring.selectors import latest_framework
from keyclusters.monitoring.services import holders_in
from keyclusters.registry.models import Cluster

from .models import Survey, SurveyAnswer


def surveys_for(user: User) -> QuerySet[Survey]:
    """Every survey for the ministry; a coordinator's clusters' surveys otherwise."""
    surveys = Survey.objects.select_related("cluster").annotate(answer_count=Count("answers"))
    if user.has_perm("surveys.list_all_surveys"):
        return surveys
    if not user.organisation_id:
        return surveys.none()
    return surveys.filter(cluster__coordinator_id=user.organisation_id)


def coordinated_clusters(user: User) -> QuerySet[Cluster]:
    if not user.organisation_id or not user.has_role("coordinator"):
        return Cluster.objects.none()
    return Cluster.objects.filter(coordinator_id=user.organisation_id).order_by("name")


def surveys_to_open(organisation_id: int | None, today: dt.date) -> tuple[int, list[Cluster]]:
    """The year before ``today`` and the clusters coordinated by ``organisation_id`` that held
    the monitoring framework's status in it but whose members were not asked about it yet (no
    survey of that year); none when the framework has no survey. Three queries."""
    year = today.year - 1
    stored = latest_framework()
    if organisation_id is None or stored is None or stored.parsed.survey is None:
        return year, []
    holders = holders_in(year, stored.parsed.status_type)
    clusters = (
        Cluster.objects.filter(coordinator_id=organisation_id, pk__in=list(holders))
        .exclude(member_surveys__year=year)
        .order_by("name", "pk")
    )
    return year, list(clusters)


def answer_count(survey: Survey) -> int:
    return SurveyAnswer.objects.filter(survey=survey).count()


@dataclass
class Row:
    label: str
    count: int


@dataclass
class QuestionResult:
    title: str
    type: str
    count: int | None  # the answers to this question; None while suppressed
    suppressed: bool = False  # fewer answers to this question than the minimum: nothing shown
    mean: Decimal | None = None  # scale: rounded to one decimal
    rows: list[Row] = field(default_factory=list)  # scale: each value; choice: each choice
    texts: list[str] = field(default_factory=list)  # text: in a shuffled order


@dataclass
class SurveyResults:
    answers: int
    minimum: int
    closed: bool  # closed early or its last day has passed
    questions: list[QuestionResult]

    @property
    def enough(self) -> bool:
        return self.answers >= self.minimum

    @property
    def shown(self) -> bool:
        return self.closed and self.enough


def results(
    survey: Survey, *, today: dt.date | None = None, shuffle: random.Random | None = None
) -> SurveyResults:
    """The results per question, only once the survey is closed (on ``today``) and at least
    ``minimum_answers`` answers were given; before that only the number of answers (not even the
    per-question counts), so that no answer can be traced. A question answered fewer than
    ``minimum_answers`` times is suppressed (no count, rows, mean or texts); text answers are
    listed in a shuffled order (``shuffle``, a system random by default)."""
    today = today or timezone.localdate()
    definition = survey.definition
    given = list(
        SurveyAnswer.objects.filter(survey=survey).order_by("pk").values_list("answers", flat=True)
    )
    outcome = SurveyResults(
        answers=len(given),
        minimum=definition.minimum_answers,
        closed=not survey.is_open(today),
        questions=[],
    )
    if not outcome.shown:
        return outcome
    shuffle = shuffle or random.SystemRandom()
    for question in definition.questions:
        values = [a[question.id] for a in given if a.get(question.id) not in (None, "")]
        title = localized(question.title)
        if len(values) < outcome.minimum:
            outcome.questions.append(QuestionResult(title, question.type, None, suppressed=True))
            continue
        result = QuestionResult(title, question.type, len(values))
        if question.type == "scale":
            scale = question.scale_or_default
            numbers = [v for v in values if isinstance(v, int)]
            counts = Counter(numbers)
            result.rows = [
                Row(_scale_label(value, scale.labels), counts[value]) for value in scale.values
            ]
            if numbers:
                result.mean = (Decimal(sum(numbers)) / len(numbers)).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                )
        elif question.type == "choice":
            counts = Counter(values)
            result.rows = [Row(localized(c.title), counts[c.id]) for c in question.choices or ()]
        else:
            texts = [str(v) for v in values]
            shuffle.shuffle(texts)
            result.texts = texts
        outcome.questions.append(result)
    return outcome


def _scale_label(value: int, labels: dict) -> str:
    label = labels.get(value)
    return f"{value} ({localized(label)})" if label else str(value)
