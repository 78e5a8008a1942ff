"""Pages of the evaluation: the expert's sheets, the operator's overview, the recommendation,
the decision, and "why this score"."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from keyclusters.competitions import rulebook_words as words
from keyclusters.competitions.models import Application, Call
from keyclusters.competitions.texts import report_errors, translated
from keyclusters.domain.rulebook import localized

from . import decisions, selectors, services, services_drafts
from .models import Assignment, DecisionRecord, Expert, Recommendation, ScoreSheet


def _language() -> str:
    return (get_language() or "pl")[:2]


@login_required
def my_assignments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluation/my_assignments.html",
        {
            "assignments": selectors.my_assignments(request.user).select_related(
                "application__call__rulebook"  # the stages' titles
            )
        },
    )


@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's own score sheet; any other assignment is a 404."""
    assignment = get_object_or_404(selectors.my_assignments(request.user), pk=pk)
    application = assignment.application
    rulebook = application.call.rulebook.parsed()
    existing = getattr(assignment, "sheet", None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("no-conflict", "conflict"):
                services.declare(
                    assignment=assignment,
                    conflict=action == "conflict",
                    note=request.POST.get("note", ""),
                    by=request.user,
                )
                if action == "conflict":
                    messages.info(request, _("The conflict of interest has been recorded."))
                    return redirect("evaluation:my-assignments")
            else:
                points = {
                    c.id: request.POST.get(f"points-{c.id}", "")
                    for _a, c in rulebook.criteria(stage=assignment.stage)
                }
                notes = {
                    c.id: request.POST.get(f"why-{c.id}", "")
                    for _a, c in rulebook.criteria(stage=assignment.stage)
                }
                services.save_sheet(
                    assignment=assignment, points=points, justifications=notes, by=request.user
                )
                if action == "submit":
                    services.submit_sheet(assignment=assignment, by=request.user)
                    messages.success(request, _("The score sheet has been submitted."))
                else:
                    messages.success(request, _("The score sheet has been saved."))
        except services.EvaluationError as exc:
            report_errors(request, exc)
        return redirect("evaluation:sheet", pk=assignment.pk)
    if not selectors.may_read_application(assignment):
        # Before the declaration (or while suspended): the cluster, its coordinator and its
        # members only, never the application.
        return render(
            request,
            "evaluation/sheet.html",
            {
                "assignment": assignment,
                "application": application,
                "declaration": selectors.cluster_for_declaration(
                    application.cluster, timezone.localdate()
                ),
                "stage_title": localized(rulebook.stage(assignment.stage).title, _language())
                or assignment.stage,
                "stage_maximum": rulebook.stage_maximum(assignment.stage),
            },
        )
    revision = application.revisions.order_by("-number").first()
    criteria = [
        {
            "area": localized(area.title, _language()) or area.id,
            "criterion": criterion,
            "title": localized(criterion.title, _language()) or criterion.id,
            "guidance": localized(criterion.guidance, _language()),
            "points": (existing.points.get(criterion.id, "") if existing else ""),
            "why": (existing.justifications.get(criterion.id, "") if existing else ""),
        }
        for area, criterion in rulebook.criteria(stage=assignment.stage)
    ]
    return render(
        request,
        "evaluation/sheet.html",
        {
            "assignment": assignment,
            "application": application,
            "revision": revision,
            "criteria": criteria,
            "submitted": existing is not None and existing.state == ScoreSheet.State.SUBMITTED,
            "stage_title": localized(rulebook.stage(assignment.stage).title, _language())
            or assignment.stage,
            "stage_maximum": rulebook.stage_maximum(assignment.stage),
        },
    )


@require_POST
def autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: store the sheet's draft as the expert types and answer "Saved at HH:MM".

    Valid fields are kept; a refused points value is reported next to its field (out-of-band
    swaps) and in the status line, and keeps its stored value. A submitted sheet answers 409.
    """
    if not request.user.is_authenticated:
        sheet_url = reverse("evaluation:sheet", args=[pk])
        if request.htmx:
            return HttpResponseClientRedirect(f"{reverse('login')}?next={sheet_url}")
        return redirect_to_login(sheet_url)
    assignment = get_object_or_404(selectors.my_assignments(request.user), pk=pk)
    criteria = assignment.application.call.rulebook.parsed().criteria(stage=assignment.stage)
    points = {
        c.id: request.POST[f"points-{c.id}"]
        for _a, c in criteria
        if f"points-{c.id}" in request.POST
    }
    notes = {
        c.id: request.POST[f"why-{c.id}"] for _a, c in criteria if f"why-{c.id}" in request.POST
    }
    try:
        draft = services_drafts.save_draft(
            assignment=assignment, points=points, justifications=notes, by=request.user
        )
    except services.EvaluationError as exc:
        return render(request, "evaluation/_autosave.html", {"refused": exc.messages}, status=409)
    return render(
        request,
        "evaluation/_autosave.html",
        {
            "saved_at": timezone.localtime(draft.saved_at),
            "fields": [
                {
                    "id": c.id,
                    "label": localized(c.title, _language()) or c.id,
                    "errors": draft.errors.get(c.id, []),
                }
                for _a, c in criteria
            ],
            "has_errors": bool(draft.errors),
        },
    )


@login_required
def call_overview(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("evaluation.manage"):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "auto-assign":
                application = get_object_or_404(call.applications, pk=request.POST["application"])
                made = services.auto_assign(
                    application=application, stage=application.stage, by=request.user
                )
                messages.success(request, _("Experts assigned: %(count)s.") % {"count": len(made)})
            elif action == "assign":
                application = get_object_or_404(call.applications, pk=request.POST["application"])
                expert = get_object_or_404(Expert, pk=request.POST.get("expert"), active=True)
                services.assign_expert(
                    application=application,
                    stage=application.stage,
                    expert=expert,
                    by=request.user,
                )
            elif action == "replace":
                assignment = get_object_or_404(
                    Assignment, pk=request.POST["assignment"], application__call=call
                )
                services.replace_expert(
                    assignment=assignment,
                    reason=request.POST.get("reason") or _("withdrawn"),
                    by=request.user,
                )
            elif action == "panel":
                form = PanelForm(request.POST)
                if form.is_valid():
                    _session, refused = decisions.schedule_panel(
                        call=call, by=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("The panel session has been scheduled."))
                    for application, member, reason in refused:
                        messages.warning(request, f"{member} – {application.cluster}: {reason}")
                else:
                    for field, errors in form.errors.items():
                        for error in errors:
                            messages.error(request, f"{field}: {error}")
            elif action == "recommend":
                decisions.prepare_recommendation(call=call, by=request.user)
                return redirect("evaluation:recommendation", pk=call.pk)
        except services.EvaluationError as exc:
            report_errors(request, exc)
        return redirect("evaluation:call", pk=call.pk)
    return render(
        request,
        "evaluation/call_overview.html",
        {
            "call": call,
            "rows": selectors.call_evaluation(call),
            "panel_form": PanelForm(),
            "experts": Expert.objects.filter(active=True, user__is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__username"),
            "sessions": call.panel_sessions.prefetch_related("members__user"),
        },
    )


class PanelForm(forms.Form):
    held_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    place = forms.CharField(
        max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    members = forms.ModelMultipleChoiceField(
        queryset=Expert.objects.filter(
            active=True, user__groups__name="panel-member"
        ).select_related("user"),
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    """The operator records the points the diverging experts agreed on."""
    if not request.user.has_perm("evaluation.manage"):
        raise PermissionDenied
    application = get_object_or_404(
        Application.objects.select_related("call__rulebook", "cluster"), pk=pk
    )
    rulebook = application.call.rulebook.parsed()
    stage = application.stage
    if request.method == "POST":
        points = {
            c.id: request.POST.get(f"points-{c.id}", "0")
            for _a, c in rulebook.criteria(stage=stage)
        }
        try:
            services.record_consensus(
                application=application,
                stage=stage,
                points=points,
                note=request.POST.get("note", ""),
                by=request.user,
            )
        except services.EvaluationError as exc:
            report_errors(request, exc)
        else:
            messages.success(request, _("The consensus score has been recorded."))
            return redirect("evaluation:call", pk=application.call_id)
    aggregate = services.stage_aggregate(application, stage)
    return render(
        request,
        "evaluation/consensus.html",
        {
            "application": application,
            "stage": stage,
            "stage_title": words.stage_title(rulebook, stage),
            "aggregate": aggregate,
            "criteria": [
                {
                    "criterion": c,
                    "title": localized(c.title, _language()) or c.id,
                    "mean": aggregate.criteria.get(c.id) if aggregate else None,
                }
                for _a, c in rulebook.criteria(stage=stage)
            ],
        },
    )


class ApprovalForm(forms.Form):
    approved_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )


@login_required
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not (user.has_perm("evaluation.manage") or user.has_perm("evaluation.decide")):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    recommendation = selectors.current_recommendation(call)
    if recommendation is None:
        raise Http404
    form = ApprovalForm(request.POST or None, initial={"approved_on": timezone.localdate()})
    if request.method == "POST":
        if not user.has_perm("evaluation.decide"):
            raise PermissionDenied
        if form.is_valid():
            try:
                decisions.approve_recommendation(
                    call=call, approved_on=form.cleaned_data["approved_on"], by=user
                )
            except services.EvaluationError as exc:
                report_errors(request, exc)
            else:
                messages.success(request, _("The recommendation list has been approved."))
                return redirect("evaluation:recommendation", pk=call.pk)
    applications = {
        a.pk: a for a in call.applications.select_related("cluster", "cluster__coordinator")
    }
    rulebook = call.rulebook.parsed()
    rows = [
        {
            **row,
            "application": applications[row["application"]],
            "reason_texts": [
                translated(r["message_id"], words.reason_params(rulebook, r["params"]))
                for r in row["reasons"]
            ],
        }
        for row in recommendation.outcomes
    ]
    return render(
        request,
        "evaluation/recommendation.html",
        {
            "call": call,
            "recommendation": recommendation,
            "rows": rows,
            "rulebook": rulebook,
            "pass_rule": (
                f"{words.operator(rulebook.decision.pass_.op)} "
                f"{words.number(rulebook.decision.pass_.value)}"
            ),
            "ranking": [words.stage_title(rulebook, key) for key in rulebook.decision.ranking],
            "form": form,
            "can_decide": user.has_perm("evaluation.decide")
            and recommendation.state == Recommendation.State.PREPARED,
            "decision_record": DecisionRecord.objects.filter(recommendation=recommendation).first(),
        },
    )


@login_required
def why(request: HttpRequest, pk: int) -> HttpResponse:
    """Each criterion with each expert's points, the aggregate, the parametric explanation, the
    thresholds applied, the rulebook version and hash."""
    application = get_object_or_404(
        Application.objects.select_related("call__rulebook", "cluster"), pk=pk
    )
    if not request.user.has_perm("evaluation.see_scores", application):
        raise Http404
    rulebook = application.call.rulebook.parsed()
    name_experts = request.user.has_perm("evaluation.manage") or request.user.has_perm(
        "evaluation.decide"
    )
    stages = selectors.score_breakdown(application, name_experts=name_experts)
    for row in stages:
        # The rulebook's ids in words: the stage's title, its gate and aggregation as text, and
        # the parametric explanation's criterion and fields by their titles.
        stage = row["stage"]
        row["title"] = words.stage_title(rulebook, stage.id)
        gate = stage.gate
        row["gate"] = f"{words.operator(gate.op)} {words.number(gate.value)}" if gate else ""
        method = (row["result"].details.get("method") if row["result"] else None) or (
            stage.aggregation
        )
        row["aggregation"] = words.aggregation(method)
        for criterion in row["criteria"]:
            criterion["title"] = localized(criterion["criterion"].title, _language()) or (
                criterion["criterion"].id
            )
            if criterion["explanation"]:
                criterion["explanation"] = words.titled_explanation(
                    rulebook, criterion["explanation"], criterion["title"]
                )
    return render(
        request,
        "evaluation/why.html",
        {
            "application": application,
            "rulebook": rulebook,
            "stored": application.call.rulebook,
            "stages": stages,
            "pass_rule": (
                f"{words.operator(rulebook.decision.pass_.op)} "
                f"{words.number(rulebook.decision.pass_.value)}"
            ),
            "area_minimums": [
                (localized(rulebook.area(area).title, _language()) or area, words.number(minimum))
                for area, minimum in rulebook.decision.min_per_area.items()
            ],
            "titles": {
                c.id: localized(c.title, _language()) or c.id for _a, c in rulebook.criteria()
            },
            "today": dt.date.today(),
        },
    )
