"""The operator's page on a call's evaluation commission, and the chair's signature on the
recommendation list (asked first: it cannot be undone)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.competitions import rulebook_words as words
from keyclusters.competitions.models import Call
from keyclusters.competitions.texts import report_errors

from . import commission, decisions, selectors
from .base import EvaluationError, is_operator
from .forms import CommissionMemberForm
from .models import CommissionMember, Recommendation


@login_required
def commission_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The members of the call's commission and its chair; the operator adds and removes
    members and names the chair until the list is signed."""
    if not request.user.has_perm("evaluation.manage"):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    form = CommissionMemberForm(call=call)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = CommissionMemberForm(request.POST, call=call)
                if not form.is_valid():
                    return _page(request, call, form, status=200)
                data = form.cleaned_data
                member = commission.add_member(
                    call=call,
                    user=data["user"],
                    kind=data["kind"],
                    body=data["body"],
                    chair=data["chair"],
                    by=request.user,
                )
                if member.is_chair:
                    messages.success(
                        request,
                        _("%(name)s has joined the commission as its chair.") % {"name": member},
                    )
                else:
                    messages.success(
                        request, _("%(name)s has joined the commission.") % {"name": member}
                    )
            elif action in ("remove", "chair"):
                member = get_object_or_404(
                    CommissionMember.objects.select_related("user", "call"),
                    pk=request.POST.get("member") or 0,
                    call=call,
                )
                if action == "remove":
                    commission.remove_member(member=member, by=request.user)
                    messages.success(
                        request, _("%(name)s has left the commission.") % {"name": member}
                    )
                else:
                    commission.make_chair(member=member, by=request.user)
                    messages.success(
                        request, _("%(name)s chairs the commission now.") % {"name": member}
                    )
        except EvaluationError as exc:
            report_errors(request, exc, form)
            if form.errors:
                return _page(request, call, form, status=200)
        return redirect("evaluation:commission", pk=call.pk)
    return _page(request, call, form)


def _page(request, call: Call, form, status: int = 200) -> HttpResponse:
    rulebook = call.rulebook.parsed()
    members = list(commission.members_of(call))
    recommendation = selectors.current_recommendation(call)
    locked = None
    may_change = is_operator(request.user)  # the administrator sees the page, unchanged
    if may_change:
        try:
            commission.check_may_change(call, request.user)
        except EvaluationError as exc:
            locked = exc.messages[0]
            may_change = False
    return render(
        request,
        "evaluation/commission.html",
        {
            "call": call,
            "members": members,
            "chair": next((m for m in members if m.is_chair), None),
            "form": form,
            "signature_required": commission.signature_required(rulebook),
            "recommendation": recommendation,
            "locked": locked,
            "may_change": may_change,
        },
        status=status,
    )


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair signs the call's recommendation list, once it is confirmed."""
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    if not commission.is_chair(call, request.user):
        raise PermissionDenied
    recommendation = selectors.current_recommendation(call)
    back = reverse("evaluation:recommendation", args=[call.pk])
    try:
        if confirmation_needed(request):
            decisions.check_may_sign(call, recommendation, request.user)
            assert recommendation is not None
            return _confirm_signature(request, call, recommendation)
        signed = decisions.sign_recommendation(call=call, by=request.user)
    except EvaluationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request,
            _("You have signed the recommendation list on %(date)s; the decision maker can now "
              "approve it.")
            % {"date": date_format(timezone.localtime(signed.signed_at), "SHORT_DATE_FORMAT")},
        )  # fmt: skip
    return redirect(back)


def _confirm_signature(
    request: HttpRequest, call: Call, recommendation: Recommendation
) -> HttpResponse:
    recommended = sum(1 for row in recommendation.outcomes if row["recommended"])
    listed = len(recommendation.outcomes)
    return ask_to_confirm(
        request,
        title=_("Sign the recommendation list?"),
        facts=[
            (_("Call"), call.name),
            (
                _("Prepared"),
                date_format(
                    timezone.localtime(recommendation.prepared_at), "SHORT_DATETIME_FORMAT"
                ),
            ),
            (_("Clusters recommended for the status"), words.number(recommended)),
            (_("Applications on the list"), words.number(listed)),
        ],
        consequences=[
            ngettext(
                "You sign, as the chair of the evaluation commission, the list recommending "
                "%(count)s cluster for the key cluster status.",
                "You sign, as the chair of the evaluation commission, the list recommending "
                "%(count)s clusters for the key cluster status.",
                recommended,
            )
            % {"count": recommended},
            _("The signature cannot be undone; the commission can no longer be changed."),
            _("The decision maker can then approve the list."),
            _(
                "The signature is recorded with your name and shown on the list and in the "
                "decision record."
            ),
        ],  # fmt: skip
        button=_("Sign the list"),
        cancel_url=reverse("evaluation:recommendation", args=[call.pk]),
    )
