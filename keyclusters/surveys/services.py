"""Every write of the member surveys: opening a cluster's survey of a year, closing it early and
recording one anonymous submission.

Opening locks the cluster's row and closing or answering locks the survey's row
(``select_for_update``) inside one transaction, so that two openings of the same year give one
survey and no answer lands after the closing. Bad input raises ``ValidationError`` naming the
field (the question's id for answers) and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.domain.monitoring import AnswersInvalid, check_answers
from keyclusters.monitoring.models import localized
from keyclusters.monitoring.selectors import latest_framework
from keyclusters.monitoring.services import holders_in
from keyclusters.registry.models import Cluster
from keyclusters.statuses import types as status_types

from .models import Survey, SurveyAnswer

FIRST_YEAR = 2000
LONGEST_DAYS = 366  # a survey is open at most a year


def open_survey(
    *, cluster: Cluster, year: int, closes_on: dt.date, by: User, today: dt.date | None = None
) -> Survey:
    """Open the survey of ``cluster`` on ``year`` with the latest monitoring framework's
    questions; the cluster must hold a status of the framework's type in that year."""
    today = today or timezone.localdate()
    if not by.has_perm("surveys.open_survey", cluster):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= today.year:
        errors["year"] = [
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": today.year}
        ]
    if closes_on < today:
        errors["closes_on"] = [_("The last day of answers must not be in the past.")]
    elif (closes_on - today).days > LONGEST_DAYS:
        errors["closes_on"] = [_("A survey is open for at most a year.")]
    stored = latest_framework()
    if stored is None or stored.parsed.survey is None:
        errors.setdefault("__all__", []).append(
            _("The monitoring framework has no survey questions.")
        )
    elif "year" not in errors and cluster.pk not in holders_in(year, stored.parsed.status_type):
        status_type = status_types.find(stored.parsed.status_type)
        errors["year"] = [
            _("%(cluster)s held no %(status)s in %(year)s.")
            % {
                "cluster": cluster.name,
                "status": status_type.name() if status_type else stored.parsed.status_type,
                "year": year,
            }
        ]
    if errors:
        raise ValidationError(errors)
    assert stored is not None
    with transaction.atomic():
        Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
        if Survey.objects.filter(cluster=cluster, year=year).exists():
            raise ValidationError({"year": [_already_open(cluster, year)]})
        try:
            with transaction.atomic():
                return Survey.objects.create(
                    cluster=cluster, year=year, framework=stored, closes_on=closes_on, opened_by=by
                )
        except IntegrityError:  # opened at the same moment elsewhere (the constraint holds)
            raise ValidationError({"year": [_already_open(cluster, year)]}) from None


def _already_open(cluster: Cluster, year: int) -> str:
    return _("The survey of %(cluster)s on %(year)s is already open.") % {
        "cluster": cluster.name,
        "year": year,
    }


def close_survey(*, survey: Survey, by: User, today: dt.date | None = None) -> Survey:
    """Close the survey before its last day: no answer is accepted after it."""
    today = today or timezone.localdate()
    if not by.has_perm("surveys.manage_survey", survey):
        raise PermissionDenied
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not locked.is_open(today):
            raise ValidationError(_("The survey is already closed."))
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.save(update_fields=["closed_at", "closed_by"])
    return locked


def submit_answers(*, survey: Survey, raw: dict, today: dt.date | None = None) -> None:
    """Record one anonymous submission: the answers checked against the survey's questions and
    the day, nothing else. Raises ``ValidationError`` by question id (the message names the
    question) and writes nothing."""
    today = today or timezone.localdate()
    definition = survey.definition
    try:
        answers = check_answers(definition, raw)
    except AnswersInvalid as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.problems:
            question = definition.question(problem.question_id)
            title = localized(question.title) if question else problem.question_id
            message = (
                _(problem.msgid) % dict(problem.params) if problem.params else _(problem.msgid)
            )
            errors.setdefault(problem.question_id, []).append(
                _("%(question)s: %(problem)s") % {"question": title, "problem": message}
            )
        raise ValidationError(errors) from exc
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not locked.is_open(today):
            raise ValidationError(_("The survey is closed: answers are no longer accepted."))
        SurveyAnswer.objects.create(survey=locked, answers=answers, submitted_on=today)
