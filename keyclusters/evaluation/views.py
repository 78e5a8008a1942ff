"""Pages of the evaluation: the expert's sheets, the operator's overview, the recommendation,
the decision, and "why this score"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.competitions import rulebook_words as words
from keyclusters.competitions import stage_verdicts
from keyclusters.competitions.models import Application, Call
from keyclusters.competitions.texts import report_errors, translated
from keyclusters.domain.evaluation import status_validity
from keyclusters.domain.lifecycle import ApplicationState, StageState
from keyclusters.domain.rulebook import localized

from . import commission, decisions, selectors, services, services_drafts, sheet_context
from .models import Assignment, DecisionRecord, Expert, Recommendation, ScoreSheet
from .panel import slot_for_sheet


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
            ),
            "to_sign": commission.lists_to_sign(request.user),
        },
    )


@login_required
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's own score sheet; any other assignment is a 404."""
    assignment = get_object_or_404(selectors.my_assignments(request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("no-conflict", "conflict"):
            return _declare(request, assignment, conflict=action == "conflict")
        return _score(request, assignment, submit=action == "submit")
    return _sheet_page(request, assignment)


def _sheet_page(
    request: HttpRequest,
    assignment: Assignment,
    *,
    posted: dict[str, tuple[str, str]] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The sheet as stored, or with the values just posted and each criterion's errors (a
    refused save or submission)."""
    application = assignment.application
    rulebook = application.call.rulebook.parsed()
    existing = ScoreSheet.objects.filter(assignment=assignment).first()
    stage_title = localized(rulebook.stage(assignment.stage).title, _language()) or (
        assignment.stage
    )
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
                "stage_title": stage_title,
                "stage_maximum": rulebook.stage_maximum(assignment.stage),
                "pass_fail": rulebook.stage(assignment.stage).pass_fail,
            },
        )
    submitted = existing is not None and existing.state == ScoreSheet.State.SUBMITTED
    if submitted:
        posted = None
    revision = application.revisions.order_by("-number").first()
    if posted is not None:
        points = {key: value[0] for key, value in posted.items()}
        notes = {key: value[1] for key, value in posted.items()}
    else:
        points = dict(existing.points) if existing else {}
        notes = dict(existing.justifications) if existing else {}
    stage_data = sheet_context.stage_revision(application, assignment.stage)
    criteria = sheet_context.sheet_rows(
        rulebook,
        assignment.stage,
        points=points,
        justifications=notes,
        errors=errors or {},
        data=stage_data.data if stage_data else {},
    )
    return render(
        request,
        "evaluation/sheet.html",
        {
            "assignment": assignment,
            "application": application,
            "revision": revision,
            "criteria": criteria,
            "submitted": submitted,
            "stage_title": stage_title,
            "stage_maximum": rulebook.stage_maximum(assignment.stage),
            "pass_fail": rulebook.stage(assignment.stage).pass_fail,
            "met_summary": sheet_context.met_summary(criteria),
            "panel_slot": slot_for_sheet(assignment),
        },
    )


def _declare(request: HttpRequest, assignment: Assignment, *, conflict: bool) -> HttpResponse:
    """The expert's declaration; a conflict of interest (which withdraws the assignment for
    good) is confirmed first."""
    application = assignment.application
    note = request.POST.get("note", "")
    if conflict and confirmation_needed(request):
        rulebook = application.call.rulebook.parsed()
        stage = rulebook.stage(assignment.stage)
        return ask_to_confirm(
            request,
            title=_("Declare a conflict of interest?"),
            facts=[
                (_("Cluster"), application.cluster.name),
                (_("Call"), application.call.name),
                (_("Stage"), words.stage_title(rulebook, stage.id)),
                (_("Note"), note.strip() or "–"),
            ],
            consequences=[
                _(
                    "You withdraw from this evaluation: you will not see the application and "
                    "cannot score it."
                ),
                _("An operator will give the stage to another expert."),
                _("The declaration is recorded with your name and cannot be undone."),
            ],  # fmt: skip
            button=_("Declare the conflict of interest"),
            cancel_url=reverse("evaluation:sheet", args=[assignment.pk]),
        )
    try:
        services.declare(assignment=assignment, conflict=conflict, note=note, by=request.user)
    except services.EvaluationError as exc:
        report_errors(request, exc)
        return redirect("evaluation:sheet", pk=assignment.pk)
    if conflict:
        messages.info(request, _("The conflict of interest has been recorded."))
        return redirect("evaluation:my-assignments")
    messages.success(
        request,
        _("You have declared that you have no conflict of interest: the application is open "
          "to you."),
    )  # fmt: skip
    return redirect("evaluation:sheet", pk=assignment.pk)


def _score(request: HttpRequest, assignment: Assignment, *, submit: bool) -> HttpResponse:
    """Save the sheet; for a submission, the saved sheet is checked, its total is confirmed
    (the draft stays saved if the expert goes back), and only then submitted."""
    rulebook = assignment.application.call.rulebook.parsed()
    criteria = [c for _a, c in rulebook.criteria(stage=assignment.stage)]
    points = {c.id: request.POST.get(f"points-{c.id}", "") for c in criteria}
    notes = {c.id: request.POST.get(f"why-{c.id}", "") for c in criteria}
    saved = None
    try:
        saved = services.save_sheet(
            assignment=assignment, points=points, justifications=notes, by=request.user
        )
        if not submit:
            messages.success(request, _("The score sheet has been saved."))
            return redirect("evaluation:sheet", pk=assignment.pk)
        missing = services.submission_errors(saved)
        if missing:
            raise services.EvaluationError(missing)
        if confirmation_needed(request):
            return _confirm_submission(request, assignment, saved, criteria, rulebook)
        submitted = services.submit_sheet(assignment=assignment, by=request.user)
    except services.EvaluationError as exc:
        # What was typed comes back when the save itself was refused; else the saved sheet.
        posted = {c.id: (points[c.id], notes[c.id]) for c in criteria}
        if saved is not None:
            posted = None
        return _refused(request, assignment, exc, criteria, posted)
    if rulebook.stage(assignment.stage).pass_fail:
        text = _("The score sheet has been submitted: %(criteria)s.") % {
            "criteria": sheet_context.total_text(rulebook, assignment.stage, submitted.points)
        }
    else:
        text = _("The score sheet has been submitted with %(total)s points out of %(maximum)s.") % {
            "total": words.number(services.sheet_total(submitted)),
            "maximum": words.number(rulebook.stage_maximum(assignment.stage)),
        }
    messages.success(request, text)
    return redirect("evaluation:sheet", pk=assignment.pk)


def _refused(request, assignment, exc, criteria, posted) -> HttpResponse:
    """The sheet again with what was typed, each criterion's errors beside its field and, at
    the top, the same errors named by the criteria's titles."""
    titles = {c.id: localized(c.title, _language()) or c.id for c in criteria}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {}
    for criterion_id, texts in errors.items():
        for text in texts:
            messages.error(request, f"{titles.get(criterion_id, criterion_id)}: {text}")
    if not errors:
        for text in exc.messages:
            messages.error(request, text)
    return _sheet_page(request, assignment, posted=posted, errors=errors)


def _confirm_submission(request, assignment, saved, criteria, rulebook) -> HttpResponse:
    application = assignment.application
    facts = [(_("Cluster"), application.cluster.name)]
    facts += sheet_context.submission_facts(rulebook, assignment.stage, saved.points)
    return ask_to_confirm(
        request,
        title=_("Submit the score sheet?"),
        facts=facts,
        consequences=[
            _(
                "After submission the points and justifications cannot be changed; only an "
                "operator can reopen the sheet."
            ),
            _("The submission is recorded with your name and the time."),
            _("Your draft has been saved: if you go back, you can go on editing it."),
        ],  # fmt: skip
        button=_("Submit the score sheet"),
        cancel_url=reverse("evaluation:sheet", args=[assignment.pk]),
        danger=False,
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
                    "pass_fail": c.pass_fail,
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
                messages.success(
                    request,
                    _("%(expert)s has been assigned to %(cluster)s.")
                    % {"expert": expert, "cluster": application.cluster.name},
                )
            elif action == "replace":
                assignment = get_object_or_404(
                    Assignment.objects.select_related(
                        "expert__user", "application__cluster", "application__call__rulebook"
                    ),
                    pk=request.POST.get("assignment") or 0,
                    application__call=call,
                )
                if confirmation_needed(request):
                    services.check_replaceable(assignment, request.user)
                    return _confirm_replacement(request, call, assignment)
                made = services.replace_expert(
                    assignment=assignment,
                    reason=request.POST.get("reason") or _("replaced by the operator"),
                    by=request.user,
                )
                messages.success(request, _replaced_message(assignment, made))
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
                if confirmation_needed(request):
                    decisions.check_may_prepare(call, request.user)
                    return _confirm_recommendation(request, call)
                decisions.prepare_recommendation(call=call, by=request.user)
                messages.success(
                    request,
                    _("The recommendation list has been prepared and sent to the decision "
                      "maker for approval."),
                )  # fmt: skip
                return redirect("evaluation:recommendation", pk=call.pk)
        except services.EvaluationError as exc:
            report_errors(request, exc)
        return redirect("evaluation:call", pk=call.pk)
    rows = selectors.call_evaluation(call)
    events = selectors.assignment_events([a for row in rows for a in row["assignments"]])
    for row in rows:
        for assignment in row["assignments"]:
            assignment.events = events[assignment.pk]
    return render(
        request,
        "evaluation/call_overview.html",
        {
            "call": call,
            "rows": rows,
            "panel_form": PanelForm(),
            "experts": Expert.objects.filter(active=True, user__is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__username"),
            "sessions": call.panel_sessions.prefetch_related("members__user"),
        },
    )


def _confirm_replacement(request: HttpRequest, call: Call, assignment: Assignment) -> HttpResponse:
    """Who leaves, who comes in (as the automatic choice stands now), for which application,
    and what becomes of the leaving expert's sheet."""
    application = assignment.application
    replacements = services.replacements_for(assignment)
    sheet = ScoreSheet.objects.filter(assignment=assignment).first()
    scored = len(sheet.points) if sheet is not None else 0
    if scored:
        sheet_fate = ngettext(
            "%(expert)s's draft score sheet (%(count)s criterion scored) is kept in the "
            "history but does not count; %(expert)s can no longer open it.",
            "%(expert)s's draft score sheet (%(count)s criteria scored) is kept in the "
            "history but does not count; %(expert)s can no longer open it.",
            scored,
        ) % {"expert": assignment.expert, "count": scored}
    else:
        sheet_fate = _(
            "%(expert)s has not scored anything yet; they lose access to the application."
        ) % {"expert": assignment.expert}
    rulebook = call.rulebook.parsed()
    return ask_to_confirm(
        request,
        title=_("Replace %(expert)s?") % {"expert": assignment.expert},
        facts=[
            (_("Application"), application.cluster.name),
            (_("Stage"), words.stage_title(rulebook, assignment.stage)),
            (_("Expert withdrawn"), str(assignment.expert)),
            (
                _("Replacement"),
                ", ".join(str(e) for e in replacements)
                or _("nobody: no expert without a conflict of interest is free"),
            ),
        ],
        warnings=[]
        if replacements
        else [_("No expert can take over now; the stage will wait for an assignment.")],
        consequences=[
            _("%(expert)s is withdrawn from the evaluation of %(cluster)s; this cannot be undone.")
            % {"expert": assignment.expert, "cluster": application.cluster.name},
            sheet_fate,
            _("The replacement is recorded in the assignment's history with your name."),
        ],  # fmt: skip
        button=_("Replace the expert"),
        cancel_url=reverse("evaluation:call", args=[call.pk]),
    )


def _replaced_message(assignment: Assignment, made: list[Assignment]) -> str:
    if not made:
        return _("%(expert)s has been withdrawn; no expert could take over yet.") % {
            "expert": assignment.expert
        }
    return _("%(expert)s has been replaced by %(replacements)s in %(cluster)s.") % {
        "expert": assignment.expert,
        "replacements": ", ".join(str(a.expert) for a in made),
        "cluster": assignment.application.cluster.name,
    }


def _confirm_recommendation(request: HttpRequest, call: Call) -> HttpResponse:
    evaluated = call.applications.filter(state=ApplicationState.EVALUATED).count()
    current = selectors.current_recommendation(call)
    consequences = [
        ngettext(
            "The %(count)s evaluated application is ranked by the rulebook.",
            "The %(count)s evaluated applications are ranked by the rulebook.",
            evaluated,
        )
        % {"count": evaluated},
        _("The list is sent to the decision maker, whose approval is binding."),
    ]
    if current is not None:
        consequences.append(
            _("The list prepared on %(date)s is replaced by the new one (it stays in the "
              "history).") % {"date": date_format(timezone.localtime(current.prepared_at),
                                                    "SHORT_DATETIME_FORMAT")}
        )  # fmt: skip
    consequences.append(_("The list is recorded with your name as the one who prepared it."))
    return ask_to_confirm(
        request,
        title=_("Send the recommendation list to the decision maker?"),
        facts=[(_("Call"), call.name)],
        consequences=consequences,
        button=_("Prepare and send the list"),
        cancel_url=reverse("evaluation:call", args=[call.pk]),
        danger=False,
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
        note = request.POST.get("note", "")
        try:
            if confirmation_needed(request):
                clean = services.check_consensus(application, stage, points, note, by=request.user)
                return _confirm_consensus(request, application, rulebook, stage, clean, note)
            services.record_consensus(
                application=application, stage=stage, points=points, note=note, by=request.user
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


def _confirm_consensus(request, application, rulebook, stage, clean, note) -> HttpResponse:
    facts = [(_("Application"), application.cluster.name)]
    facts += [
        (
            localized(c.title, _language()) or c.id,
            _("%(points)s of %(maximum)s")
            % {"points": words.number(clean[c.id]), "maximum": words.number(c.max)},
        )
        for _a, c in rulebook.criteria(stage=stage)
    ]
    total = sum((Decimal(v) for v in clean.values()), Decimal(0))
    facts += [
        (
            _("Total"),
            _("%(points)s of %(maximum)s")
            % {
                "points": words.number(total),
                "maximum": words.number(rulebook.stage_maximum(stage)),
            },
        ),
        (_("How the experts agreed"), note.strip()),
    ]
    return ask_to_confirm(
        request,
        title=_("Record the consensus score?"),
        facts=facts,
        consequences=[
            _(
                "These points replace the experts' diverging scores: the stage %(stage)s is "
                "completed with them and the application moves on; this cannot be undone."
            )
            % {"stage": words.stage_title(rulebook, stage)},
            _("The consensus is recorded with your name."),
        ],  # fmt: skip
        button=_("Record the consensus"),
        cancel_url=reverse("evaluation:consensus", args=[application.pk]),
    )


class ApprovalForm(forms.Form):
    approved_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )


@login_required
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    chairs = commission.is_chair(call, user)
    if not (user.has_perm("evaluation.manage") or user.has_perm("evaluation.decide") or chairs):
        raise PermissionDenied
    recommendation = selectors.current_recommendation(call)
    if recommendation is None:
        raise Http404
    form = ApprovalForm(request.POST or None, initial={"approved_on": timezone.localdate()})
    if request.method == "POST":
        if not user.has_perm("evaluation.decide"):
            raise PermissionDenied
        if form.is_valid():
            approved_on = form.cleaned_data["approved_on"]
            try:
                if confirmation_needed(request):
                    decisions.check_may_approve(call, recommendation, user)
                    return _confirm_approval(request, call, recommendation, approved_on)
                decisions.approve_recommendation(call=call, approved_on=approved_on, by=user)
            except services.EvaluationError as exc:
                report_errors(request, exc)
            else:
                granted = sum(1 for row in recommendation.outcomes if row["recommended"])
                messages.success(
                    request,
                    ngettext(
                        "The recommendation list has been approved on %(date)s: %(count)s "
                        "cluster has been granted the status. The decision record has been "
                        "produced and the results are published.",
                        "The recommendation list has been approved on %(date)s: %(count)s "
                        "clusters have been granted the status. The decision record has been "
                        "produced and the results are published.",
                        granted,
                    )
                    % {"date": date_format(approved_on, "SHORT_DATE_FORMAT"), "count": granted},
                )
                return redirect("evaluation:recommendation", pk=call.pk)
    applications = {
        a.pk: a for a in call.applications.select_related("cluster", "cluster__coordinator")
    }
    rulebook = call.rulebook.parsed()
    signature_required = commission.signature_required(rulebook)
    awaiting_signature = (
        signature_required
        and recommendation.signed_at is None
        and recommendation.state == Recommendation.State.PREPARED
    )
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
            and recommendation.state == Recommendation.State.PREPARED
            and not awaiting_signature,
            "signature_required": signature_required,
            "awaiting_signature": awaiting_signature,
            "can_sign": chairs and awaiting_signature,
            "chair": commission.chair_of(call) if awaiting_signature else None,
            "decision_record": DecisionRecord.objects.filter(recommendation=recommendation).first(),
            "prepared_by": selectors.person(recommendation.prepared_by),
            "approved_by": selectors.person(recommendation.approved_by),
        },
    )


def _confirm_approval(
    request: HttpRequest, call: Call, recommendation: Recommendation, approved_on: dt.date
) -> HttpResponse:
    """The binding decision: how many clusters get the status, from when to when, on which
    date, and what follows (the decision record, the published results)."""
    rulebook = call.rulebook.parsed()
    granted = sum(1 for row in recommendation.outcomes if row["recommended"])
    rejected = len(recommendation.outcomes) - granted
    valid_from, valid_to = status_validity(rulebook.status, approved_on)
    date = date_format(approved_on, "SHORT_DATE_FORMAT")
    consequences = [
        _("The approval is binding and cannot be undone."),
        ngettext(
            "%(count)s cluster is granted the key cluster status, valid from %(start)s to %(end)s.",
            "%(count)s clusters are granted the key cluster status, valid from %(start)s to "
            "%(end)s.",
            granted,
        )
        % {
            "count": granted,
            "start": date_format(valid_from, "SHORT_DATE_FORMAT"),
            "end": date_format(valid_to, "SHORT_DATE_FORMAT"),
        },
    ]
    if rejected:
        consequences.append(
            ngettext(
                "%(count)s application is not granted the status; its coordinator is given "
                "the reasons.",
                "%(count)s applications are not granted the status; their coordinators are "
                "given the reasons.",
                rejected,
            )
            % {"count": rejected}
        )
    consequences += [
        _("A decision record (PDF) is produced with the list, the date of the decision and "
          "your name as the one who approved it."),
        _("The results of the call are published on its public page."),
    ]  # fmt: skip
    warnings = []
    if approved_on != timezone.localdate():
        warnings.append(
            _("The date of the decision (%(date)s) is not today; the statuses run from it.")
            % {"date": date}
        )
    return ask_to_confirm(
        request,
        title=_("Approve the recommendation list?"),
        facts=[
            (_("Call"), call.name),
            (_("Date of the decision"), date),
            (_("Clusters granted the status"), words.number(granted)),
            (_("Applications on the list"), words.number(len(recommendation.outcomes))),
        ],
        warnings=warnings,
        consequences=consequences,
        button=_("Approve the list"),
        cancel_url=reverse("evaluation:recommendation", args=[call.pk]),
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
        row["pass_fail"] = _pass_fail_summary(rulebook, stage, row)
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


def _pass_fail_summary(rulebook, stage, row: dict) -> dict | None:
    """A pass-fail stage on "why this score": each expert's mark in words, each criterion's
    verdict ("Met", "met by 2 of 2 experts") and the stage passed or failed; no points."""
    if not stage.pass_fail:
        return None
    result = row["result"]
    summary = None
    if result is not None and result.state == StageState.COMPLETE:
        summary = stage_verdicts.stage_summary(
            rulebook, result.details, result.result == result.Result.PASSED
        )
    verdicts = {v["criterion"]: v for v in summary["criteria"]} if summary else {}
    for criterion in row["criteria"]:
        for mark in criterion["points"]:
            mark["value"] = sheet_context.short_mark_text(mark["value"])
        criterion["verdict"] = verdicts.get(criterion["criterion"].id)
    return summary
