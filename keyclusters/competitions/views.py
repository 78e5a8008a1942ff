"""Pages of the competitions app: calls, the coordinator's application, formal evaluation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.timesince import timeuntil
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.accounts.roles import Role
from keyclusters.domain.lifecycle import (
    OPERATOR_CALL_ACTIONS,
    UNDER_EVALUATION_STATES,
    ApplicationAction,
    ApplicationState,
    CallAction,
    CallState,
    StageState,
)
from keyclusters.domain.rulebook.model import localized
from keyclusters.registry.models import Cluster

from . import exports, rulebook_words, selectors, services, stage_verdicts
from .downloads import may_read_documents
from .forms import (
    FORMAL_CHECKLIST,
    ChecklistForm,
    CompletionRequestForm,
    FailForm,
    application_form_class,
)
from .labels import STAGE_KINDS
from .models import Application, Call, StageResult
from .texts import report_errors


def _language() -> str:
    return (get_language() or "pl")[:2]


def call_list(request: HttpRequest) -> HttpResponse:
    is_operator = request.user.has_perm("competitions.manage_calls")
    calls = Call.objects.select_related("rulebook").annotate(
        recommendation_count=Count("recommendations")
    )
    if not is_operator:
        calls = calls.exclude(state=CallState.DRAFT)
    my_clusters = []
    if request.user.is_authenticated and request.user.has_role(Role.COORDINATOR):
        my_clusters = list(Cluster.objects.filter(coordinator_id=request.user.organisation_id))
    return render(
        request,
        "competitions/call_list.html",
        {
            "calls": calls,
            "my_clusters": my_clusters,
            "now": timezone.now(),
            "is_operator": is_operator,
            "can_see_recommendations": is_operator or request.user.has_perm("evaluation.decide"),
        },
    )


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    if call.state == CallState.DRAFT and not request.user.has_perm("competitions.manage_calls"):
        raise Http404
    rulebook = call.rulebook.parsed()
    my_clusters = []
    if request.user.is_authenticated and request.user.has_role(Role.COORDINATOR):
        applied = dict(Application.objects.filter(call=call).values_list("cluster_id", "pk"))
        my_clusters = [
            (cluster, applied.get(cluster.pk))
            for cluster in Cluster.objects.filter(coordinator_id=request.user.organisation_id)
        ]
    return render(
        request,
        "competitions/call_detail.html",
        {
            "call": call,
            "rulebook": rulebook,
            "title": localized(rulebook.title, _language()),
            "stage_titles": [
                localized(stage.title, _language()) or str(STAGE_KINDS[stage.kind])
                for stage in rulebook.stages
            ],
            "my_clusters": my_clusters,
            "accepts": call.accepts_submissions(),
        },
    )


@login_required
@require_POST
def start_application(request: HttpRequest, pk: int, cluster_pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    cluster = get_object_or_404(Cluster, pk=cluster_pk)
    try:
        application = services.start_application(
            call=call, cluster=cluster, by=request.user, kind=request.POST.get("kind", "new")
        )
    except services.CompetitionError as exc:
        report_errors(request, exc)
        return redirect("competitions:call-detail", pk=call.pk)
    return redirect("competitions:application-detail", pk=application.pk)


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = (
        selectors.visible_applications(request.user)
        .select_related("call__rulebook")  # the stages' titles
        .order_by("-call__opens_at", "cluster__name")
    )
    return render(request, "competitions/application_list.html", {"applications": applications})


def _visible_application(request: HttpRequest, pk: int) -> Application:
    """The application, to those who see it in their list (its coordinator, operators) and to
    those who may read its documents (the decision maker; the experts and panel members
    assigned to it who have declared no conflict of interest): a 404 to anyone else."""
    application = selectors.visible_applications(request.user).filter(pk=pk).first()
    if application is None:
        application = get_object_or_404(
            Application.objects.select_related("call", "cluster", "cluster__coordinator"), pk=pk
        )
        if not may_read_documents(request.user, application):
            raise Http404
    return application


def _registry_preview(application: Application) -> list[dict[str, object]]:
    from .registry_values import member_list, registry_values

    rulebook = application.call.rulebook.parsed()
    revision = services.latest_revision(application)
    ids = [spec.id for spec in rulebook.fields if spec.source == "registry"]
    if revision is not None:
        values, frozen = revision.data, True
    else:
        today = timezone.localdate()
        values = registry_values(
            application.cluster,
            today,
            ids,
            member_list(application.cluster, today),
            counting=rulebook.counting,
        )
        frozen = False
    return [
        {
            "id": spec.id,
            "label": localized(spec.title, _language()) or spec.id,
            "value": rulebook_words.value(values.get(spec.id)),
            "frozen": frozen,
        }
        for spec in rulebook.fields
        if spec.source == "registry"
    ]


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    editable = (
        services.editable_fields(application)
        if request.user.has_perm("competitions.edit_application", application)
        else []
    )
    form_class = application_form_class(application, editable)
    initial = {k: v for k, v in application.data.items() if not isinstance(v, dict)}
    form = form_class(initial=initial)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = form_class(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            documents = {
                spec.id
                for spec in application.call.rulebook.parsed().fields
                if spec.type == "document"
            }
            values = {
                key: value
                for key, value in form.cleaned_data.items()
                if key in editable and key not in documents
            }
            files = {
                key: (upload.name, upload.read())
                for key, upload in request.FILES.items()
                if key in editable
            }
            try:
                services.save_application_data(
                    application=application, values=values, files=files, by=request.user
                )
            except services.CompetitionError as exc:
                report_errors(request, exc, form)
            else:
                if "submit" in request.POST:
                    completing = application.state == ApplicationState.COMPLETION_REQUESTED
                    try:
                        services.submit_application(application=application, by=request.user)
                    except services.CompetitionError as exc:
                        report_errors(request, exc, form)
                    else:
                        if completing:
                            text = _(
                                "The completed application has been submitted: it is back in "
                                "the formal evaluation."
                            )
                        else:
                            text = _("The application has been submitted.")
                        messages.success(request, text)
                        return redirect("competitions:application-detail", pk=application.pk)
                else:
                    messages.success(request, _("The draft has been saved."))
                    return redirect("competitions:application-detail", pk=application.pk)
    return render(
        request,
        "competitions/application_detail.html",
        _detail_context(request, application, form=form, editable=editable),
    )


def _readable(spec, value) -> str:
    """An applicant's value in the active locale's format, with its unit."""
    if value in (None, ""):
        return "—"
    if spec.type == "boolean":
        return str(_("yes") if value else _("no"))
    if spec.type == "date":
        try:
            return formats.date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            return str(value)
    if spec.type in ("integer", "decimal", "money", "percent"):
        try:
            number = formats.number_format(Decimal(str(value)), use_l10n=True)
        except InvalidOperation:
            return str(value)
        if spec.type == "money":
            return _("%(amount)s PLN") % {"amount": number}
        if spec.type == "percent":
            return f"{number}\u00a0%"
        return number
    return str(value)


def _application_rows(application: Application, documents: dict) -> list[dict[str, object]]:
    """The submitted application as a person reads it: the rulebook's labels in the user's
    language, values formatted, documents as links."""
    rulebook = application.call.rulebook.parsed()
    rows = []
    for spec in rulebook.fields:
        if spec.source == "registry":
            continue
        row = {"id": spec.id, "label": localized(spec.title, _language()) or spec.id}
        if spec.type == "document":
            row["document"] = documents.get(spec.id)
        else:
            row["value"] = _readable(spec, application.data.get(spec.id))
        rows.append(row)
    return rows


def _completion_note(application: Application) -> dict | None:
    """The operator's last request to complete (items, note, deadline), if there was one."""
    event = (
        application.events.filter(action=ApplicationAction.REQUEST_COMPLETION)
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return None
    rulebook = application.call.rulebook.parsed()
    labels = {spec.id: localized(spec.title, _language()) or spec.id for spec in rulebook.fields}
    return {
        "note": event.note.get("note", ""),
        "items": [labels.get(item, item) for item in event.note.get("items", [])],
        "at": event.at,
        "open": application.state == ApplicationState.COMPLETION_REQUESTED,
    }


def _detail_context(request, application: Application, **extra) -> dict[str, object]:
    results = {r.stage: r for r in application.stage_results.all()}
    rulebook = application.call.rulebook.parsed()
    stage_rows = [
        {
            "id": stage.id,
            "kind": stage.kind,
            "title": localized(stage.title, _language()) or str(STAGE_KINDS[stage.kind]),
            "result": results.get(stage.id),
            # a parametric stage scored by experts shows as an expert stage (points, no brackets)
            "scored_by_experts": stage.scored_by_experts,
            "pass_fail": None,
        }
        for stage in rulebook.stages
    ]
    for stage, row in zip(rulebook.stages, stage_rows, strict=True):
        result = row["result"]
        if stage.pass_fail and result is not None and result.state == StageState.COMPLETE:
            # a decided pass-fail stage: each criterion met or not, by how many experts; no points
            row["pass_fail"] = stage_verdicts.stage_summary(
                rulebook, result.details, result.result == StageResult.Result.PASSED
            )
        criteria = result.details.get("criteria", []) if result else []
        # a parametric stage keeps a list of criterion rows; an expert stage a mapping of points
        row["criteria"] = []
        for criterion in criteria if isinstance(criteria, list) else []:
            title = (
                localized(rulebook.criterion(criterion["criterion"]).title, _language())
                or criterion["criterion"]
            )
            row["criteria"].append(
                {**rulebook_words.titled_explanation(rulebook, criterion, title), "title": title}
            )
    documents = {d.field_id: d for d in application.documents.filter(replaced_at__isnull=True)}
    is_operator = request.user.has_role(Role.OPERATOR)
    return {
        "application": application,
        "rulebook": rulebook,
        "stage_rows": stage_rows,
        "documents": documents,
        "application_rows": _application_rows(application, documents),
        "completion": _completion_note(application),
        "registry_values": _registry_preview(application),
        "events": application.events.select_related("actor"),
        "is_operator": is_operator,
        # who did what: to the staff and the decision maker (the coordinator reads what happened)
        "show_actors": is_operator or request.user.has_role(Role.DECISION_MAKER),
        # points: to those who may see the scores (not to the experts and panel members)
        "show_scores": is_operator or request.user.has_perm("evaluation.see_scores", application),
        "document_accesses": application.document_accesses.select_related("user")[:200]
        if is_operator
        else [],
        **extra,
    }


def _when(moment: dt.datetime) -> str:
    """A moment in the active language's short date-time format, in the local time."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _stage_title(rulebook, stage_id: str) -> str:
    stage = rulebook.stage(stage_id)
    return localized(stage.title, _language()) or str(STAGE_KINDS[stage.kind])


def _application_facts(application: Application) -> list[tuple[str, str]]:
    facts = [(_("Cluster"), application.cluster.name), (_("Call"), application.call.name)]
    if application.number:
        facts.append((_("Application number"), application.number))
    return facts


def _confirm_formal(
    request: HttpRequest,
    application: Application,
    action: str,
    *,
    items: Sequence[str] = (),
    note: str = "",
    reasons: Sequence[str] = (),
) -> HttpResponse:
    """The confirmation of a formal decision, stating what it does to the application."""
    rulebook = application.call.rulebook.parsed()
    cancel_url = reverse("competitions:formal-evaluation", args=[application.pk])
    facts = _application_facts(application)
    irreversible = _("This cannot be undone.")
    if action == "pass":
        following = services.stage_after(application, application.stage)
        return ask_to_confirm(
            request,
            title=_("Pass the formal evaluation?"),
            consequences=[
                _("The application passes the formal evaluation and goes on to: %(stage)s.")
                % {"stage": _stage_title(rulebook, following)}
                if following
                else _("The application passes the formal evaluation, its last stage."),
                _("The coordinator is notified."),
                irreversible,
            ],
            facts=facts,
            button=_("Pass the formal evaluation"),
            cancel_url=cancel_url,
            danger=False,
        )
    if action == "complete":
        labels = {
            spec.id: localized(spec.title, _language()) or spec.id for spec in rulebook.fields
        }
        days = services.completion_days(application)
        deadline = services.completion_deadline(application)
        return ask_to_confirm(
            request,
            title=_("Ask the coordinator to complete the application?"),
            consequences=[
                ngettext(
                    "The coordinator gets %(days)s day to complete the items, until "
                    "%(deadline)s; the application waits until then.",
                    "The coordinator gets %(days)s days to complete the items, until "
                    "%(deadline)s; the application waits until then.",
                    days,
                )
                % {"days": days, "deadline": _when(deadline)},
                _("The coordinator is notified with the items and your note."),
                _("An application not completed by the deadline fails the formal evaluation."),
                _(
                    "The rules allow one request to complete per application: no other can "
                    "follow. This cannot be undone."
                ),
            ],
            facts=[
                *facts,
                # in the rulebook's order, as on the form
                (_("Items to complete"), ", ".join(v for k, v in labels.items() if k in items)),
                (_("Note"), note),
            ],
            button=_("Ask to complete"),
            cancel_url=cancel_url,
            danger=False,
        )
    return ask_to_confirm(
        request,
        title=_("Fail the formal evaluation?"),
        consequences=[
            _("The application fails the formal evaluation and leaves the competition."),
            _("The coordinator is notified with the reasons."),
            irreversible,
        ],
        facts=[*facts, (_("Reasons"), "; ".join(reasons))],
        button=_("Fail the formal evaluation"),
        cancel_url=cancel_url,
    )


def _formal_refusal(application: Application, action: str, assessment) -> str | None:
    """Why the formal decision cannot be taken now (asked before the confirmation, which
    would otherwise ask about an action the service refuses)."""
    if application.state != ApplicationState.SUBMITTED:
        return _("The application is not awaiting a formal decision.")
    if action == "pass":
        refusal = services.holder_refusal(application, timezone.localdate())
        if refusal:
            return _("The application cannot pass: %(reason)s Fail it with this reason.") % {
                "reason": refusal
            }
    if action == "pass" and not assessment.passed:
        return _(
            "The automatic eligibility check fails; the application cannot pass: %(reasons)s"
        ) % {"reasons": "; ".join(assessment.reasons())}
    if action == "complete" and application.completion_requests >= 1:
        return _("The rules allow one request to complete per application.")
    return None


@login_required
def formal_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("competitions.evaluate_formally"):
        raise PermissionDenied
    application = get_object_or_404(
        Application.objects.select_related("call__rulebook", "cluster"), pk=pk
    )
    rulebook = application.call.rulebook.parsed()
    item_choices = [
        (spec.id, localized(spec.title, _language()) or spec.id)
        for spec in rulebook.fields
        if spec.source != "registry"
    ]
    checklist = ChecklistForm(prefix="check")
    completion = CompletionRequestForm(prefix="complete", item_choices=item_choices)
    fail = FailForm(prefix="fail")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pass":
            form = checklist = ChecklistForm(request.POST, prefix="check")
        elif action == "complete":
            form = completion = CompletionRequestForm(
                request.POST, prefix="complete", item_choices=item_choices
            )
        elif action == "fail":
            form = fail = FailForm(request.POST, prefix="fail")
        else:
            form = None
            messages.error(request, _("Choose pass, a request to complete or fail."))
        if form is not None and form.is_valid():
            refusal = _formal_refusal(application, action, services.formal_assessment(application))
            if refusal and confirmation_needed(request):
                messages.error(request, refusal)
            elif confirmation_needed(request):
                return _confirm_formal(
                    request,
                    application,
                    action,
                    items=form.cleaned_data.get("items", []),
                    note=form.cleaned_data.get("note", ""),
                    reasons=fail.reason_list() if action == "fail" else [],
                )
            else:
                try:
                    if action == "pass":
                        services.pass_formal(
                            application=application,
                            checklist=checklist.cleaned_data,
                            by=request.user,
                        )
                        done = _("The application passed the formal evaluation.")
                    elif action == "complete":
                        services.request_completion(
                            application=application,
                            items=completion.cleaned_data["items"],
                            note=completion.cleaned_data["note"],
                            by=request.user,
                        )
                        done = _("The coordinator was asked to complete the items.")
                    else:
                        services.fail_formal(
                            application=application, reasons=fail.reason_list(), by=request.user
                        )
                        done = _("The application failed the formal evaluation.")
                except services.CompetitionError as exc:
                    report_errors(request, exc, form)
                else:
                    messages.success(request, done)
                    return redirect("competitions:application-detail", pk=application.pk)
    assessment = services.formal_assessment(application)
    return render(
        request,
        "competitions/formal_evaluation.html",
        {
            "application": application,
            "assessment": assessment,
            # Each rule written positively ("Years of operation ≥ 3") beside the value it got.
            "outcomes": [
                {
                    "outcome": o,
                    "message": o.message(_language()),
                    "condition": rulebook_words.condition(rulebook, o.field, o.op, o.expected),
                    "value": rulebook_words.value(o.actual),
                }
                for o in assessment.outcomes
            ],
            "missing": [rulebook_words.field_title(rulebook, m.field) for m in assessment.missing],
            "checklist": checklist,
            "checklist_items": FORMAL_CHECKLIST,
            "completion": completion,
            "fail": fail,
            "can_decide": application.state == ApplicationState.SUBMITTED
            and application.stage == rulebook.stages[0].id,
            "revision": services.latest_revision(application),
        },
    )


# What the message says after an operator's action on a call.
CALL_ACTION_DONE = {
    CallAction.OPEN: _lazy("The call is open."),
    CallAction.CLOSE: _lazy("The call is closed."),
    CallAction.START_EVALUATION: _lazy("The final evaluation of the call has started."),
}


def _confirm_call_action(request: HttpRequest, call: Call, action: str) -> HttpResponse:
    """The confirmation of opening, closing or moving a call on, with what it changes."""
    now = timezone.now()
    cancel_url = reverse("competitions:call-dashboard", args=[call.pk])
    facts = [
        (_("Call"), call.name),
        (_("Opens"), _when(call.opens_at)),
        (_("Closes"), _when(call.closes_at)),
    ]
    warnings: list[str] = []
    if action == CallAction.OPEN:
        if call.opens_at > now:
            warnings.append(
                _(
                    "The call is planned to open on %(opens)s: it accepts applications only "
                    "from then."
                )
                % {"opens": _when(call.opens_at)}
            )
        return ask_to_confirm(
            request,
            title=_("Open the call?"),
            consequences=[
                _(
                    "The call is published: coordinators can start applications and submit "
                    "them until %(closes)s."
                )
                % {"closes": _when(call.closes_at)},
                _(
                    "Its rulebook is frozen: a change to the rules needs a new version of the "
                    "rulebook."
                ),
                _("An open call cannot go back into preparation. This cannot be undone."),
            ],
            warnings=warnings,
            facts=facts,
            button=_("Open the call"),
            cancel_url=cancel_url,
            danger=False,
        )
    states = selectors.state_counts(call)
    if action == CallAction.CLOSE:
        if call.closes_at > now:
            warnings.append(
                _(
                    "The deadline for applications is %(deadline)s, %(remaining)s from now: "
                    "closing the call now ends it early."
                )
                % {"deadline": _when(call.closes_at), "remaining": timeuntil(call.closes_at, now)}
            )
        drafts = states.get(ApplicationState.DRAFT, 0)
        if drafts:
            warnings.append(
                ngettext(
                    "%(count)s application is still a draft: it will never be submitted.",
                    "%(count)s applications are still drafts: they will never be submitted.",
                    drafts,
                )
                % {"count": drafts}
            )
        submitted = sum(n for state, n in states.items() if state != ApplicationState.DRAFT)
        return ask_to_confirm(
            request,
            title=_("Close the call?"),
            consequences=[
                _("The call stops accepting applications: no application can be submitted."),
                ngettext(
                    "%(count)s submitted application goes on being evaluated.",
                    "%(count)s submitted applications go on being evaluated.",
                    submitted,
                )
                % {"count": submitted},
                _("A closed call cannot be opened again. This cannot be undone."),
            ],
            warnings=warnings,
            facts=facts,
            button=_("Close the call"),
            cancel_url=cancel_url,
        )
    unfinished = sum(n for state, n in states.items() if state in UNDER_EVALUATION_STATES)
    if unfinished:
        warnings.append(
            ngettext(
                "%(count)s application is still being evaluated.",
                "%(count)s applications are still being evaluated.",
                unfinished,
            )
            % {"count": unfinished}
        )
    return ask_to_confirm(
        request,
        title=_("Start the final evaluation?"),
        consequences=[
            _(
                "The call moves on to the decision: the decision maker approves the "
                "recommendation list, which grants or refuses the statuses."
            ),
            _("The call cannot go back to the closed state. This cannot be undone."),
        ],
        warnings=warnings,
        facts=facts,
        button=_("Start the final evaluation"),
        cancel_url=cancel_url,
    )


def _confirm_expiry(request: HttpRequest, call: Call, overdue: list[Application]) -> HttpResponse:
    count = len(overdue)
    return ask_to_confirm(
        request,
        title=_("Fail the overdue completions?"),
        consequences=[
            ngettext(
                "%(count)s application was not completed by its deadline: it fails the formal "
                "evaluation and leaves the competition.",
                "%(count)s applications were not completed by their deadlines: they fail the "
                "formal evaluation and leave the competition.",
                count,
            )
            % {"count": count},
            _("The coordinators are notified."),
            _("This cannot be undone."),
        ],
        facts=[
            (
                application.cluster.name,
                _("deadline %(deadline)s") % {"deadline": _when(application.completion_deadline)},
            )
            for application in overdue
        ],
        button=_("Fail the overdue completions"),
        cancel_url=reverse("competitions:call-dashboard", args=[call.pk]),
    )


@login_required
def call_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("competitions.manage_calls"):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "expire":
                overdue = list(
                    services.overdue_completions(call=call)
                    .select_related("cluster")
                    .order_by("cluster__name", "pk")
                )
                if not overdue:
                    messages.info(request, _("No application of this call is overdue."))
                elif confirmation_needed(request):
                    return _confirm_expiry(request, call, overdue)
                else:
                    count = services.expire_completions(call=call, by=request.user)
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s overdue application failed the formal evaluation.",
                            "%(count)s overdue applications failed the formal evaluation.",
                            count,
                        )
                        % {"count": count},
                    )
            elif action in OPERATOR_CALL_ACTIONS:
                if confirmation_needed(request) and action in services.call_actions(call):
                    return _confirm_call_action(request, call, action)
                # a refused action (the call moved on meanwhile) is refused by the service
                services.change_call_state(call=call, action=action, by=request.user)
                messages.success(request, str(CALL_ACTION_DONE[action]))
            else:
                messages.error(request, _("Choose an action."))
        except services.CompetitionError as exc:
            report_errors(request, exc)
        return redirect("competitions:call-dashboard", pk=call.pk)
    applications = (
        call.applications.select_related("cluster", "cluster__coordinator")
        .prefetch_related("stage_results")
        .order_by("cluster__name")
    )
    rows = []
    stage_ids = [s.id for s in call.rulebook.parsed().stages]
    for application in applications:
        results = {r.stage: r for r in application.stage_results.all()}
        rows.append({"application": application, "results": [results.get(s) for s in stage_ids]})
    return render(
        request,
        "competitions/call_dashboard.html",
        {
            "call": call,
            "funnel": selectors.call_funnel(call),
            "rows": rows,
            "stage_ids": stage_ids,
            "now": timezone.now(),
            "actions": services.call_actions(call),
            "history": selectors.call_history(call),
            "result_passed": StageResult.Result.PASSED,
        },
    )


@login_required
def call_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if not request.user.has_perm("competitions.manage_calls"):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    if fmt == "csv":
        response = HttpResponse(
            exports.applications_csv(call), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.applications_xlsx(call),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="call-{call.pk}-applications.{fmt}"'
    return response
