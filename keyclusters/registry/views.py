"""Public registry pages and the coordinator's member management."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.accounts.roles import Role
from keyclusters.private_files import download_name, file_response

from . import identity, selectors, selfservice, services
from .forms import (
    ChangeRequestDecisionForm,
    ClusterFilterForm,
    EvidenceDecisionForm,
    EvidenceForm,
    MemberImportForm,
    MembershipAddForm,
    MembershipEndForm,
)
from .models import (
    Cluster,
    Membership,
    MembershipEvidence,
    Organisation,
    OrganisationChangeRequest,
    organisation_value_label,
)

MANAGE_PERMISSION = "registry.manage_cluster_members"
REVIEW_PERMISSION = "registry.review_registry_changes"
CLUSTERS_PER_PAGE = 25
MEMBERS_PER_PAGE = 50
EXPORT_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _paginate(request: HttpRequest, items: Any, per_page: int, param: str = "page") -> Page:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def _page_links(request: HttpRequest, page: Page, param: str = "page") -> dict[str, Any]:
    """URLs of the pages around ``page`` that keep the other query parameters."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "page": page,
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "numbers": [
            (number, url(number) if isinstance(number, int) else "", number == page.number)
            for number in numbers
        ],
    }


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@require_GET
def cluster_list(request: HttpRequest) -> HttpResponse:
    form = ClusterFilterForm(request.GET, specialisations=selectors.specialisations())
    filters = form.filters()
    page = _paginate(request, selectors.search_clusters(**filters), CLUSTERS_PER_PAGE)
    context = {
        "form": form,
        "page": page,
        "clusters": page.object_list,
        "pagination": _page_links(request, page),
        "filtered": any(value for key, value in filters.items() if key != "sort"),
    }
    template = "registry/_cluster_results.html" if _is_partial(request) else None
    response = render(request, template or "registry/cluster_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(selectors.cluster_for_page(pk))
    on = selectors.today()
    members = _paginate(request, selectors.current_members(cluster, on=on), MEMBERS_PER_PAGE)
    former = _paginate(
        request, selectors.former_members(cluster, on=on), MEMBERS_PER_PAGE, "former_page"
    )
    context = {
        "cluster": cluster,
        "on": on,
        "summary": selectors.member_summary(cluster, on=on),
        "members": members,
        "members_pagination": _page_links(request, members),
        "former": former,
        "former_pagination": _page_links(request, former, "former_page"),
        "partners": list(selectors.strategic_partners(cluster)),
        "declarations": list(selectors.declarations(cluster)),
        "names": identity.name_history(cluster),
        "coordinators": identity.coordinator_history(cluster),
        "can_record_identity": request.user.has_perm("registry.record_cluster_identity"),
        "can_manage": request.user.has_perm(MANAGE_PERMISSION, cluster),
        "can_read_declarations": request.user.has_perm(
            "registry.read_declaration_documents", cluster
        ),
    }
    return render(request, "registry/cluster_detail.html", context)


@require_GET
def members_export(request: HttpRequest, pk: int, format: str) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    if format == "csv":
        from keyclusters.registry.exports import members_csv

        content = members_csv(cluster)
    else:
        from keyclusters.registry.exports import members_xlsx

        content = members_xlsx(cluster)
    response = HttpResponse(content, content_type=EXPORT_CONTENT_TYPES[format])
    filename = f"{slugify(cluster.name) or cluster.pk}-members.{format}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def my_clusters(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.COORDINATOR):
        raise PermissionDenied
    clusters = selectors.clusters_coordinated_by(request.user.organisation_id)
    return render(request, "registry/my_clusters.html", {"clusters": clusters})


# Member management (coordinator of the cluster, or operator).


def _managed_cluster(request: HttpRequest, pk: int) -> Cluster:
    cluster = get_object_or_404(Cluster.objects.select_related("coordinator"), pk=pk)
    if not request.user.has_perm(MANAGE_PERMISSION, cluster):
        raise PermissionDenied
    return cluster


def _show_errors(form: Form, exc: ValidationError, aliases: dict[str, str]) -> None:
    """Put a service's validation errors on the form's fields (others on the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = aliases.get(field, field)
        form.add_error(target if target in form.fields else None, errors)


@login_required
@require_GET
def cluster_manage(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _managed_cluster(request, pk)
    on = selectors.today()
    current = selfservice.with_confirmation(selectors.current_members(cluster, on=on))
    members = _paginate(request, current, MEMBERS_PER_PAGE)
    partners = selfservice.with_confirmation(selectors.strategic_partners(cluster))
    shown_members = list(members.object_list)
    shown_partners = [p for p in partners if p.is_active_on(on)]
    ends = selectors.end_records(shown_members + shown_partners)
    for membership in shown_members + shown_partners:
        membership.end_record = ends.get(membership.pk)
    context = {
        "cluster": cluster,
        "on": on,
        "members": members,
        "shown_members": shown_members,
        "members_pagination": _page_links(request, members),
        "partners": shown_partners,
        "end_form": MembershipEndForm(initial={"left_on": on}),
        "can_review": request.user.has_perm(REVIEW_PERMISSION),
    }
    return render(request, "registry/cluster_manage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _managed_cluster(request, pk)
    form = MembershipAddForm(
        request.POST or None,
        request.FILES or None,
        initial={"joined_on": selectors.today()},
        backdating_days=services.backdating_days(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.add_membership(
                cluster=cluster,
                organisation_data=form.organisation_data(),
                role=data["role"],
                joined_on=data["joined_on"],
                advanced_cooperation_group=data["advanced_cooperation_group"],
                evidence=data["evidence"],
                evidence_kind=data["evidence_kind"],
                by=request.user,
            )
        except ValidationError as exc:
            _show_errors(form, exc, {"organisation": "nip"})
        else:
            messages.success(
                request,
                gettext("%(organisation)s was added to %(cluster)s.")
                % {"organisation": membership.organisation.name, "cluster": cluster.name},
            )
            if membership.awaits_evidence:
                messages.info(
                    request,
                    gettext(
                        "Its start awaits an operator's review of the document: until then "
                        "verification counts the membership from %(date)s."
                    )
                    % {"date": date_format(membership.counted_start, "SHORT_DATE_FORMAT")},
                )
            if membership.proposals:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d value you gave differs from the registry's record of the "
                        "organisation: it was sent to the operators as a change request.",
                        "%(count)d values you gave differ from the registry's record of the "
                        "organisation: they were sent to the operators as change requests.",
                        len(membership.proposals),
                    )
                    % {"count": len(membership.proposals)},
                )
            return redirect("registry:cluster-manage", pk=cluster.pk)
    return render(request, "registry/member_add.html", {"cluster": cluster, "form": form})


@login_required
@require_POST
def membership_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    cluster = _managed_cluster(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"), pk=membership_pk, cluster=cluster
    )
    form = MembershipEndForm(request.POST)
    if form.is_valid():
        left_on = form.cleaned_data["left_on"]
        try:
            services.check_end(membership=membership, left_on=left_on)
            if confirmation_needed(request):
                return _confirm_end(request, cluster, membership, left_on)
            services.end_membership(membership=membership, left_on=left_on, by=request.user)
        except ValidationError as exc:
            _show_errors(form, exc, {})
        else:
            messages.success(
                request,
                gettext("The membership of %(organisation)s ends on %(date)s.")
                % {
                    "organisation": membership.organisation.name,
                    "date": date_format(form.cleaned_data["left_on"], "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("registry:cluster-manage", pk=cluster.pk)
    context = {"cluster": cluster, "membership": membership, "form": form}
    return render(request, "registry/membership_end.html", context)


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _confirm_end(
    request: HttpRequest, cluster: Cluster, membership: Membership, left_on: dt.date
) -> HttpResponse:
    """What ending the membership on ``left_on`` does, before it is done."""
    values = {
        "organisation": membership.organisation.name,
        "cluster": cluster.name,
        "date": _day(left_on),
        "next": _day(left_on + dt.timedelta(days=1)),
    }
    warnings = []
    if left_on < selectors.today():
        warnings.append(
            gettext(
                "The last day, %(date)s, is in the past: from now on verification says that "
                "the membership ended then, also about the days since."
            )
            % values
        )
    return ask_to_confirm(
        request,
        title=gettext("End the membership of %(organisation)s in %(cluster)s?") % values,
        facts=[
            (gettext("Organisation"), membership.organisation.name),
            (gettext("Cluster"), cluster.name),
            (gettext("Role"), membership.get_role_display()),
            (gettext("Joined on"), _day(membership.joined_on)),
            (gettext("Last day of the membership"), _day(left_on)),
        ],
        warnings=warnings,
        consequences=[
            gettext(
                "The membership of %(organisation)s in %(cluster)s ends on %(date)s, its last day."
            )
            % values,
            gettext(
                "From %(next)s verification no longer confirms the membership: funding "
                "agencies' checks and membership certificates will say that it ended on "
                "%(date)s."
            )
            % values,
            gettext(
                "The membership stays in the registry's ledger as a former one, and its "
                "history records the end with your name. The end cannot be undone here."
            ),
        ],
        button=gettext("End the membership"),
        cancel_url=reverse("registry:cluster-manage", args=[cluster.pk]),
    )


def _import_messages(exc: Exception) -> list[str]:
    """Every row error of a rejected import, in the active language when it can say so."""
    messages_of = getattr(exc, "messages", None)
    if callable(messages_of):
        return [str(message) for message in messages_of()]
    return [str(error) for error in getattr(exc, "errors", [])]


@login_required
@require_http_methods(["GET", "POST"])
def members_import(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _managed_cluster(request, pk)
    form = MemberImportForm(request.POST or None, request.FILES or None)
    import_errors: list[str] = []
    warnings: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        from keyclusters.registry.importing import ImportRejected, import_members

        uploaded = form.cleaned_data["file"]
        try:
            report = import_members(
                cluster=cluster, source=uploaded, filename=uploaded.name, by=request.user
            )
        except ImportRejected as exc:
            import_errors = _import_messages(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Imported %(rows)d row: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged.",
                    "Imported %(rows)d rows: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged.",
                    report.rows,
                )
                % {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            if report.awaiting_evidence:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d membership starts more than %(days)d days ago: it counts "
                        "from today until an operator accepts the evidence you upload on its "
                        "page.",
                        "%(count)d memberships start more than %(days)d days ago: they count "
                        "from today until an operator accepts the evidence you upload on their "
                        "pages.",
                        report.awaiting_evidence,
                    )
                    % {"count": report.awaiting_evidence, "days": services.backdating_days()},
                )
            if not report.warnings:
                return redirect("registry:cluster-manage", pk=cluster.pk)
            warnings = [_warning_row(w) for w in report.warnings]
    context = {
        "cluster": cluster,
        "form": form,
        "import_errors": import_errors,
        "warnings": warnings,
    }
    return render(request, "registry/members_import.html", context)


def _warning_row(warning: Any) -> dict[str, Any]:
    """An import's warning as a person reads it (the column's name, values by their labels)."""
    return {
        "row": warning.row,
        "column": str(Organisation._meta.get_field(warning.column).verbose_name),
        "registry_value": organisation_value_label(warning.column, warning.registry_value),
        "file_value": organisation_value_label(warning.column, warning.file_value),
    }


# The membership ledger: a membership's page (its history and its evidence).


def _managed_membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    cluster = _managed_cluster(request, pk)
    return get_object_or_404(
        Membership.objects.select_related("organisation", "cluster", "recorded_by"),
        pk=membership_pk,
        cluster=cluster,
    )


def _membership_page(
    request: HttpRequest, membership: Membership, form: EvidenceForm | None = None
) -> HttpResponse:
    context = {
        "cluster": membership.cluster,
        "membership": membership,
        "trail": selectors.membership_trail(membership),
        "evidence": list(
            membership.evidence.select_related("uploaded_by", "decided_by").order_by(
                "uploaded_at", "pk"
            )
        ),
        "form": form or EvidenceForm(),
        "may_upload": membership.evidence_state in ("awaiting", "rejected"),
    }
    return render(request, "registry/membership_detail.html", context)


@login_required
@require_GET
def membership_detail(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _membership_page(request, _managed_membership(request, pk, membership_pk))


@login_required
@require_POST
def membership_evidence(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _managed_membership(request, pk, membership_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_evidence(
                membership=membership,
                evidence=form.cleaned_data["document"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except ValidationError as exc:
            _show_errors(form, exc, {})
        else:
            messages.success(request, gettext("The document was sent to the operators for review."))
            return redirect(
                "registry:membership-detail", pk=membership.cluster_id, membership_pk=membership.pk
            )
    return _membership_page(request, membership, form)


# The operators' queues.


def _require_reviewer(request: HttpRequest) -> None:
    if not request.user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied


@login_required
@require_GET
def evidence_queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    context = {
        "queue": list(selectors.evidence_queue()),
        "awaiting": list(selectors.memberships_awaiting_a_document()[:200]),
        "decided": list(selectors.recent_evidence_decisions()),
        "form": EvidenceDecisionForm(),
    }
    return render(request, "registry/evidence_queue.html", context)


@login_required
@require_POST
def evidence_decide(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    _require_reviewer(request)
    evidence = get_object_or_404(
        MembershipEvidence.objects.select_related(
            "membership__organisation", "membership__cluster"
        ),
        pk=evidence_pk,
    )
    form = EvidenceDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose to accept or to reject the document."))
        return redirect("registry:evidence-queue")
    accept = form.cleaned_data["decision"] == "accept"
    reason = form.cleaned_data["reason"].strip()
    try:
        services.check_evidence_decision(evidence=evidence, accept=accept, reason=reason)
        if confirmation_needed(request):
            return _confirm_evidence(request, evidence, accept, reason)
        services.decide_evidence(evidence=evidence, accept=accept, reason=reason, by=request.user)
    except ValidationError as exc:
        for message in dict.fromkeys(exc.messages):  # a field and the whole record: once
            messages.error(request, message)
    else:
        name = evidence.membership.organisation.name
        if accept:
            text = gettext("The evidence of %(organisation)s's start was accepted.")
        else:
            text = gettext("The evidence of %(organisation)s's start was rejected.")
        messages.success(request, text % {"organisation": name})
    return redirect("registry:evidence-queue")


def _confirm_evidence(
    request: HttpRequest, evidence: MembershipEvidence, accept: bool, reason: str
) -> HttpResponse:
    """What accepting or rejecting the document does, before it is done."""
    membership = evidence.membership
    values = {
        "organisation": membership.organisation.name,
        "cluster": membership.cluster.name,
        "joined": _day(membership.joined_on),
        "counted": _day(membership.counted_start),
        "kind": evidence.get_kind_display(),
        "reason": reason,
    }
    facts = [
        (gettext("Organisation"), membership.organisation.name),
        (gettext("Cluster"), membership.cluster.name),
        (gettext("Document"), evidence.get_kind_display()),
        (gettext("Joined on"), _day(membership.joined_on)),
        (gettext("Verification counts it from"), _day(membership.counted_start)),
    ]
    recorded = gettext(
        "The decision cannot be undone; the membership's history records it with your name."
    )
    if accept:
        title = gettext("Accept the %(kind)s of %(organisation)s?") % values
        consequences = [
            gettext(
                "The %(kind)s proves the start of the membership of %(organisation)s in "
                "%(cluster)s on %(joined)s."
            )
            % values,
            gettext(
                "Verification counts the membership from %(joined)s instead of %(counted)s: "
                "funding agencies' checks and membership certificates say so at once."
            )
            % values,
            recorded,
        ]
        button = gettext("Accept the document")
    else:
        title = gettext("Reject the %(kind)s of %(organisation)s?") % values
        facts.append((gettext("Reason"), reason))
        consequences = [
            gettext(
                "The %(kind)s does not prove the start of the membership of %(organisation)s "
                "in %(cluster)s on %(joined)s; the coordinator sees your reason: %(reason)s"
            )
            % values,
            gettext(
                "Verification goes on counting the membership from %(counted)s, not from "
                "%(joined)s, until the coordinator sends another document and an operator "
                "accepts it."
            )
            % values,
            recorded,
        ]
        button = gettext("Reject the document")
    return ask_to_confirm(
        request,
        title=title,
        facts=facts,
        consequences=consequences,
        button=button,
        cancel_url=reverse("registry:evidence-queue"),
        danger=not accept,
    )


@login_required
@require_safe
def evidence_document(
    request: HttpRequest, pk: int, membership_pk: int, evidence_pk: int
) -> HttpResponse:
    membership = _managed_membership(request, pk, membership_pk)
    evidence = get_object_or_404(MembershipEvidence, pk=evidence_pk, membership=membership)
    name = f"evidence-{slugify(membership.organisation.name)}-{membership.joined_on:%Y-%m-%d}"
    return file_response(evidence.document, kind="pdf", filename=download_name(name, "pdf"))


@login_required
@require_GET
def change_requests(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    context = {
        "requests": list(selectors.pending_change_requests()[:500]),
        "decided": list(selectors.recent_change_request_decisions()),
    }
    return render(request, "registry/change_requests.html", context)


@login_required
@require_POST
def change_request_decide(request: HttpRequest, request_pk: int) -> HttpResponse:
    _require_reviewer(request)
    change_request = get_object_or_404(
        OrganisationChangeRequest.objects.select_related("organisation"), pk=request_pk
    )
    form = ChangeRequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose to apply or to dismiss the change."))
        return redirect("registry:change-requests")
    apply = form.cleaned_data["decision"] == "apply"
    try:
        services.check_change_request(change_request=change_request, apply=apply)
        if confirmation_needed(request):
            return _confirm_change_request(request, change_request, apply)
        services.decide_change_request(change_request=change_request, apply=apply, by=request.user)
    except ValidationError as exc:
        for message in dict.fromkeys(exc.messages):  # a field and the whole record: once
            messages.error(request, message)
    else:
        values = {
            "organisation": change_request.organisation.name,
            "field": change_request.field_label,
        }
        if apply:
            text = gettext("The %(field)s of %(organisation)s was changed.")
        else:
            text = gettext("The proposed %(field)s of %(organisation)s was dismissed.")
        messages.success(request, text % values)
    return redirect("registry:change-requests")


def _confirm_change_request(
    request: HttpRequest, change_request: OrganisationChangeRequest, apply: bool
) -> HttpResponse:
    """What applying or dismissing the proposed value does, before it is done."""
    values = {
        "organisation": change_request.organisation.name,
        "field": change_request.field_label,
        "old": change_request.registry_value_label or "—",
        "new": change_request.proposed_value_label,
    }
    facts = [
        (gettext("Organisation"), change_request.organisation.name),
        (gettext("Field"), change_request.field_label),
        (gettext("In the registry"), values["old"]),
        (gettext("Proposed"), values["new"]),
    ]
    if apply:
        title = gettext("Change the %(field)s of %(organisation)s?") % values
        consequences = [
            gettext(
                "The %(field)s of %(organisation)s changes from %(old)s to %(new)s in the registry."
            )
            % values,
            gettext(
                "An organisation's record is shared: every cluster it belongs to, "
                "verification answers and membership certificates show the new value."
            ),
            gettext(
                "The change cannot be undone here; the organisation's history and the list "
                "of decided requests record it with your name."
            ),
        ]
        button = gettext("Apply the change")
    else:
        title = gettext("Dismiss the proposed %(field)s of %(organisation)s?") % values
        consequences = [
            gettext(
                "The registry keeps %(old)s as the %(field)s of %(organisation)s; the proposed "
                "%(new)s is dismissed."
            )
            % values,
            gettext(
                "The request leaves the queue and cannot be reopened; the list of decided "
                "requests records the dismissal with your name."
            ),
        ]
        button = gettext("Dismiss the change")
    return ask_to_confirm(
        request,
        title=title,
        facts=facts,
        consequences=consequences,
        button=button,
        cancel_url=reverse("registry:change-requests"),
        danger=not apply,
    )
