"""The operator's pages on experts: the list, a new profile, one expert's specialisations and
affiliations (with their assignments and conflicts), and a suspended assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from keyclusters.competitions.texts import report_errors
from keyclusters.domain.rulebook import localized

from . import experts as expert_services
from . import selectors, suspensions
from .base import EvaluationError
from .conflicts import describe_affiliation
from .forms import (
    AffiliationEndForm,
    AffiliationForm,
    ConfirmedForm,
    ExpertProfileForm,
    LiftForm,
    NewExpertForm,
    ReassignForm,
    SuspendForm,
)
from .models import Affiliation, Assignment, Expert


def _require_operator(request: HttpRequest) -> None:
    if not request.user.has_perm("evaluation.manage"):
        raise PermissionDenied


def _stage_title(assignment: Assignment) -> str:
    rulebook = assignment.application.call.rulebook.parsed()
    stage = rulebook.stage(assignment.stage)
    return localized(stage.title, (get_language() or "pl")[:2]) or _("expert stage")


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    return render(request, "evaluation/experts.html", {"experts": selectors.experts_overview()})


@login_required
def expert_new(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    form = NewExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expert = expert_services.create_expert(
                user=form.cleaned_data["user"],
                specialisations=form.cleaned_data["specialisations"],
                by=request.user,
            )
        except EvaluationError as exc:
            report_errors(request, exc, form)
        else:
            messages.success(request, _("The expert profile has been created."))
            return redirect("evaluation:expert", pk=expert.pk)
    return render(request, "evaluation/expert_new.html", {"form": form})


def _report_suspended(request: HttpRequest, suspended: list[Assignment]) -> None:
    if suspended:
        messages.warning(
            request,
            ngettext(
                "A conflict of interest: %(count)s assignment has been suspended.",
                "A conflict of interest: %(count)s assignments have been suspended.",
                len(suspended),
            )
            % {"count": len(suspended)},
        )


def _expert_post(request: HttpRequest, expert: Expert, forms: dict) -> bool:
    """Handle one action of the expert's page; True when it was done."""
    action = request.POST.get("action")
    by = request.user
    if action == "profile":
        form = forms["profile"] = ExpertProfileForm(request.POST)
        if form.is_valid():
            expert_services.update_expert(expert=expert, by=by, **form.cleaned_data)
            messages.success(request, _("The expert profile has been saved."))
            return True
    elif action == "add-affiliation":
        form = forms["affiliation"] = AffiliationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            _affiliation, suspended = expert_services.add_affiliation(
                expert=expert,
                organisation=data["nip"],
                position=data["position"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
                by=by,
            )
            messages.success(request, _("The affiliation has been added."))
            _report_suspended(request, suspended)
            return True
    elif action in ("end-affiliation", "remove-affiliation"):
        affiliation = get_object_or_404(
            Affiliation, pk=request.POST.get("affiliation") or 0, expert=expert
        )
        if action == "end-affiliation":
            form = AffiliationEndForm(request.POST)
            if form.is_valid():
                _affiliation, suspended = expert_services.change_affiliation(
                    affiliation=affiliation,
                    position=affiliation.position,
                    started_on=affiliation.started_on,
                    ended_on=form.cleaned_data["ended_on"],
                    by=by,
                )
                messages.success(request, _("The end of the affiliation has been saved."))
                _report_suspended(request, suspended)
                return True
        else:
            form = ConfirmedForm(request.POST)
            if form.is_valid():
                expert_services.remove_affiliation(affiliation=affiliation, by=by)
                messages.success(request, _("The affiliation has been removed."))
                return True
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return False


@login_required
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One expert: specialisations, ties (the account's organisation and the employer come
    automatically; affiliations are edited here), and assignments with their conflicts."""
    _require_operator(request)
    expert = get_object_or_404(
        Expert.objects.select_related("user__organisation", "organisation"), pk=pk
    )
    forms: dict = {}
    if request.method == "POST":
        try:
            if _expert_post(request, expert, forms):
                return redirect("evaluation:expert", pk=expert.pk)
        except EvaluationError as exc:
            report_errors(request, exc, forms.get("affiliation") or forms.get("profile"))
    affiliations = list(
        expert.affiliations.select_related("organisation").order_by(
            "organisation__name", "started_on", "pk"
        )
    )
    assignments = list(
        expert.assignments.exclude(state=Assignment.State.WITHDRAWN)
        .select_related("application__call__rulebook", "application__cluster", "lifted_by")
        .order_by("-assigned_at", "pk")
    )
    for assignment in assignments:
        assignment.stage_title = _stage_title(assignment)
    return render(
        request,
        "evaluation/expert.html",
        {
            "expert": expert,
            "affiliations": [
                {"affiliation": a, "dates": describe_affiliation(a)} for a in affiliations
            ],
            "assignments": assignments,
            "profile_form": forms.get("profile")
            or ExpertProfileForm(
                initial={
                    "specialisations": ", ".join(expert.specialisations),
                    "active": expert.active,
                }
            ),
            "affiliation_form": forms.get("affiliation") or AffiliationForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
def suspension(request: HttpRequest, pk: int) -> HttpResponse:
    """A suspended assignment: why, since when, and the operator's choice (lift it, or give the
    stage to another expert); an active one can be suspended here."""
    _require_operator(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "expert__user",
            "application__call__rulebook",
            "application__cluster__coordinator",
            "suspended_by",
            "lifted_by",
            "sheet",
        ),
        pk=pk,
    )
    forms = {"lift": LiftForm(), "reassign": ReassignForm(), "suspend": SuspendForm()}
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in forms:
            return redirect("evaluation:suspension", pk=assignment.pk)
        form = forms[action] = type(forms[action])(request.POST)
        if form.is_valid():
            try:
                if action == "lift":
                    suspensions.lift_suspension(
                        assignment=assignment, note=form.cleaned_data["note"], by=request.user
                    )
                    messages.success(request, _("The suspension has been lifted."))
                elif action == "reassign":
                    made = suspensions.reassign(
                        assignment=assignment, reason=form.cleaned_data["reason"], by=request.user
                    )
                    messages.success(
                        request,
                        _("The expert has been withdrawn. Experts assigned: %(count)s.")
                        % {"count": len(made)},
                    )
                else:
                    suspensions.suspend_assignment(
                        assignment=assignment, reason=form.cleaned_data["reason"], by=request.user
                    )
                    messages.success(request, _("The assignment has been suspended."))
            except EvaluationError as exc:
                report_errors(request, exc, form)
            else:
                return redirect("evaluation:suspension", pk=assignment.pk)
    return render(
        request,
        "evaluation/suspension.html",
        {
            "assignment": assignment,
            "stage_title": _stage_title(assignment),
            "submitted": getattr(assignment, "sheet", None) is not None
            and assignment.sheet.state == "submitted",
            **{f"{name}_form": form for name, form in forms.items()},
        },
    )
