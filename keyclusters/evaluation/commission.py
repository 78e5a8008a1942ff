"""The call's evaluation commission: its members (a ministry's or an agency's representative,
or an independent expert) and its chair, who signs the recommendation list where the call's
rulebook asks for it (``decision.signed_by: chair``; the signature itself is written by
:mod:`.decisions`, the owner of the list).

The operator adds and removes members and names the chair until the call's list is signed;
every write takes the call's lock first, as the list's writes do, so that a change of chair
and the chair's signature never overlap."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from keyclusters.accounts.models import User
from keyclusters.competitions import services as competitions
from keyclusters.competitions.models import Call
from keyclusters.domain.lifecycle import CallState, RecommendationState

from .base import EvaluationError, is_operator
from .models import CommissionMember, Recommendation


def signature_required(rulebook) -> bool:
    """Whether the rulebook asks the commission's chair to sign the list before approval."""
    return rulebook.decision.signed_by == "chair"


def chair_of(call: Call) -> CommissionMember | None:
    return CommissionMember.objects.filter(call=call, is_chair=True).select_related("user").first()


def members_of(call: Call):
    return CommissionMember.objects.filter(call=call).select_related("user")


def is_chair(call: Call, user: User | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return CommissionMember.objects.filter(call=call, user=user, is_chair=True).exists()


def lists_to_sign(user: User) -> list[Call]:
    """The calls whose commission ``user`` chairs and whose current list awaits the chair's
    signature."""
    calls = Call.objects.filter(
        commission_members__user=user,
        commission_members__is_chair=True,
        recommendations__state=RecommendationState.PREPARED,
        recommendations__signed_at__isnull=True,
    ).select_related("rulebook")
    return [call for call in calls.distinct() if signature_required(call.rulebook.parsed())]


def person_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def check_may_change(call: Call, by: User) -> None:
    """Raise PermissionDenied for anyone but an operator, EvaluationError once the call is
    decided or its list is signed."""
    if not is_operator(by):
        raise PermissionDenied
    if call.state == CallState.DECIDED:
        raise EvaluationError(
            _("The commission can no longer be changed: the call has been decided.")
        )
    signed = (
        Recommendation.objects.filter(call=call, signed_at__isnull=False)
        .exclude(state=RecommendationState.SUPERSEDED)
        .first()
    )
    if signed is not None:
        raise EvaluationError(
            _("The commission can no longer be changed: the recommendation list was signed "
              "by %(name)s on %(date)s.")
            % {
                "name": signed.signed_by_name,
                "date": date_format(localtime(signed.signed_at), "SHORT_DATE_FORMAT"),
            }
        )  # fmt: skip


def _locked(call: Call, by: User) -> Call:
    if not is_operator(by):
        raise PermissionDenied
    call = competitions.locked_call(call)
    check_may_change(call, by)
    return call


def _unset_chair(call: Call, by: User) -> None:
    for member in CommissionMember.objects.select_for_update(no_key=True).filter(
        call=call, is_chair=True
    ):
        member.is_chair = False
        member._history_user = by
        member.save(update_fields=["is_chair"])


@transaction.atomic
def add_member(
    *, call: Call, user: User, kind: str, body: str = "", chair: bool = False, by: User
) -> CommissionMember:
    """Add ``user`` to the call's commission; as its chair, the previous chair stays a
    member."""
    call = _locked(call, by)
    if kind not in CommissionMember.Kind.values:
        raise EvaluationError({"kind": [_("Choose whom the member represents.")]})
    if CommissionMember.objects.filter(call=call, user=user).exists():
        raise EvaluationError(
            _("%(name)s is already a member of the commission.") % {"name": person_name(user)}
        )
    if chair:
        _unset_chair(call, by)
    member = CommissionMember(
        call=call,
        user=user,
        kind=kind,
        body="" if kind == CommissionMember.Kind.INDEPENDENT else body.strip(),
        is_chair=chair,
        added_by=by,
    )
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def make_chair(*, member: CommissionMember, by: User) -> CommissionMember:
    """Name ``member`` the chair of the commission in place of the previous chair."""
    _locked(member.call, by)
    member = CommissionMember.objects.select_for_update(no_key=True).get(pk=member.pk)
    if not member.is_chair:
        _unset_chair(member.call, by)
        member.is_chair = True
        member._history_user = by
        member.save(update_fields=["is_chair"])
    return member


@transaction.atomic
def remove_member(*, member: CommissionMember, by: User) -> None:
    """Remove ``member`` from the commission (the chair too: the commission then has none)."""
    _locked(member.call, by)
    member = CommissionMember.objects.select_for_update(no_key=True).filter(pk=member.pk).first()
    if member is None:
        return
    member._history_user = by
    member.delete()
