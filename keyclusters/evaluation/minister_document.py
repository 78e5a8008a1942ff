"""The minister's document confirming the statuses of a decided call: its number, issue date and
signatory, recorded once after the approval of the list.

Where the rulebook counts the status from the document (``status.validity.from: document``, as
in round I of 2015), the approval decides who is granted the status but grants nothing yet: the
statuses are granted when the document is recorded, valid from its issue date. Otherwise the
document's number and date are written on the grants the approval made. Either way the status
certificates name the document.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.accounts.roles import Role
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Call
from keyclusters.domain.evaluation import status_validity
from keyclusters.domain.lifecycle import CallState, RecommendationState
from keyclusters.statuses.services import grant_status, record_document

from .base import EvaluationError, is_operator
from .commission import person_name
from .models import MinisterDocument, Recommendation

NUMBER_MAX = 100
SIGNATORY_MAX = 200


def counts_from_document(call: Call) -> bool:
    """Whether the call's statuses run from the issue date of the minister's document."""
    return call.rulebook.parsed().status.validity.starts_from == "document"


def may_record(user: User) -> bool:
    return is_operator(user) or user.has_role(Role.DECISION_MAKER)


def approved_list(call: Call) -> Recommendation | None:
    return call.recommendations.filter(state=RecommendationState.APPROVED).first()


def check_document(
    call: Call, *, number: str, issued_on: dt.date | None, signatory: str, today: dt.date
) -> dict[str, list[str]]:
    """What keeps the document from being recorded now, per field (empty when nothing)."""
    errors: dict[str, list[str]] = {}
    recommendation = approved_list(call)
    if call.state != CallState.DECIDED or recommendation is None:
        errors["__all__"] = [_("The minister's document is recorded after the list is approved.")]
        return errors
    existing = MinisterDocument.objects.filter(call=call).first()
    if existing is not None:
        errors["__all__"] = [
            _("The document No. %(number)s of %(date)s has already been recorded for this call.")
            % {"number": existing.number, "date": date_format(existing.issued_on, "DATE_FORMAT")}
        ]
        return errors
    if not number:
        errors["number"] = [_("Give the document's number.")]
    elif len(number) > NUMBER_MAX:
        errors["number"] = [_("At most %(count)d characters.") % {"count": NUMBER_MAX}]
    elif MinisterDocument.objects.filter(number=number).exists():
        errors["number"] = [_("Another call's document has this number.")]
    if not signatory:
        errors["signatory"] = [_("Give who signed the document (name and function).")]
    elif len(signatory) > SIGNATORY_MAX:
        errors["signatory"] = [_("At most %(count)d characters.") % {"count": SIGNATORY_MAX}]
    if issued_on is None:
        errors["issued_on"] = [_("Give the issue date.")]
    elif recommendation.approved_on and issued_on < recommendation.approved_on:
        errors["issued_on"] = [
            _("The document cannot be issued before the decision (%(date)s).")
            % {"date": date_format(recommendation.approved_on, "DATE_FORMAT")}
        ]
    elif issued_on > today:
        errors["issued_on"] = [_("The issue date cannot be in the future.")]
    return errors


@transaction.atomic
def issue_document(
    *,
    call: Call,
    number: str,
    issued_on: dt.date | None,
    signatory: str,
    by: User,
    today: dt.date | None = None,
) -> MinisterDocument:
    """Record the minister's document of the decided ``call`` (once; it cannot be changed).

    Where the status runs from the document, the recommended applications' clusters are granted
    the status now, valid from ``issued_on`` for the rulebook's period; otherwise the call's grants
    get the document's number and date. PermissionDenied for anyone but an operator or the
    decision maker; EvaluationError, keyed by field, when the document cannot be recorded.
    """
    if not may_record(by):
        raise PermissionDenied
    call = competitions.locked_call(call)
    number, signatory = (number or "").strip(), (signatory or "").strip()
    errors = check_document(
        call,
        number=number,
        issued_on=issued_on,
        signatory=signatory,
        today=today or timezone.localdate(),
    )
    if errors:
        raise EvaluationError(errors)
    assert issued_on is not None
    document = MinisterDocument(
        call=call,
        number=number,
        issued_on=issued_on,
        signatory=signatory,
        recorded_by=by,
        recorded_by_name=person_name(by),
    )
    document.save()
    recommendation = approved_list(call)
    assert recommendation is not None and recommendation.approved_on is not None
    if counts_from_document(call):
        rules = call.rulebook.parsed().status
        valid_from, valid_to = status_validity(rules, issued_on)
        recommended = {row["application"] for row in recommendation.outcomes if row["recommended"]}
        for application in call.applications.filter(pk__in=recommended).select_related("cluster"):
            grant_status(
                cluster=application.cluster,
                call=call,
                application=application,
                round_label=call.round_label or call.name[:16],
                decision_on=recommendation.approved_on,
                valid_from=valid_from,
                valid_to=valid_to,
                document_number=number,
                document_issued_on=issued_on,
                status_type=rules.type,
                by=by,
            )
    else:
        record_document(call=call, number=number, issued_on=issued_on, by=by)
    return document
