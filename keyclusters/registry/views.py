"""Public registry pages and the coordinator's member management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyclusters.accounts.roles import Role

from . import selectors, services
from .forms import ClusterFilterForm, MemberImportForm, MembershipAddForm, MembershipEndForm
from .models import Cluster, Membership

MANAGE_PERMISSION = "registry.manage_cluster_members"
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
    members = _paginate(request, selectors.current_members(cluster, on=on), MEMBERS_PER_PAGE)
    context = {
        "cluster": cluster,
        "on": on,
        "members": members,
        "members_pagination": _page_links(request, members),
        "partners": [p for p in selectors.strategic_partners(cluster) if p.is_active_on(on)],
        "end_form": MembershipEndForm(initial={"left_on": on}),
    }
    return render(request, "registry/cluster_manage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = _managed_cluster(request, pk)
    form = MembershipAddForm(request.POST or None, initial={"joined_on": selectors.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.add_membership(
                cluster=cluster,
                organisation_data=form.organisation_data(),
                role=data["role"],
                joined_on=data["joined_on"],
                advanced_cooperation_group=data["advanced_cooperation_group"],
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
        try:
            services.end_membership(
                membership=membership, left_on=form.cleaned_data["left_on"], by=request.user
            )
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
            return redirect("registry:cluster-manage", pk=cluster.pk)
    context = {"cluster": cluster, "form": form, "import_errors": import_errors}
    return render(request, "registry/members_import.html", context)
