"""Pages of the benchmarking app: editions, imports, computation, reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keyclusters.private_files import file_response
from keyclusters.worker import heartbeat

from . import reports, selectors, services, standings, tasks
from .forms import (
    DataFileForm,
    EditionDetailsForm,
    EditionForm,
    ParticipantsForm,
    ReportTextsForm,
)
from .models import ClusterReport, Edition, EditionResult


def _require(request: HttpRequest, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _edition(request: HttpRequest, pk: int) -> Edition:
    edition = get_object_or_404(Edition.objects.select_related("framework"), pk=pk)
    if not request.user.has_perm("benchmarking.read_edition", edition):
        raise Http404
    return edition


def _result(request: HttpRequest, pk: int, cluster_pk: int) -> EditionResult:
    result = (
        EditionResult.objects.select_related("edition__framework", "cluster__coordinator")
        .filter(edition_id=pk, cluster_id=cluster_pk)
        .first()
    )
    if result is None or not request.user.has_perm("benchmarking.view_cluster_report", result):
        raise Http404  # an unpublished or another cluster's report does not exist for the user
    return result


def _errors(request: HttpRequest, exc: services.BenchmarkingError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def edition_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "benchmarking/edition_list.html",
        {
            "editions": selectors.visible_editions(request.user),
            "can_manage": request.user.has_perm("benchmarking.manage_editions"),
            "my_results": [
                (result, standings.position_of(result))
                for result in selectors.coordinator_results(request.user)[:50]
            ],
        },
    )


@login_required
def edition_create(request: HttpRequest) -> HttpResponse:
    _require(request, "benchmarking.manage_editions")
    services.store_shipped_frameworks()
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            edition = services.create_edition(
                framework=data["framework"],
                year=data["year"],
                name=data["name"],
                clusters=data["clusters"],
                normalisation=data["normalisation"] or None,
                by=request.user,
            )
        except services.BenchmarkingError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("benchmarking:edition-detail", edition.pk)
    return render(request, "benchmarking/edition_form.html", {"form": form})


def edition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request, pk)
    if not request.user.has_perm("benchmarking.manage_editions"):
        return redirect("benchmarking:edition-report", edition.pk)
    context = reports.general_context(edition)
    context.update(
        {
            "results": selectors.results_of(edition),
            "details_form": EditionDetailsForm(
                initial={
                    "number": edition.number,
                    "contractor": edition.contractor,
                    "financing": edition.financing,
                    "publish_position": edition.publish_position,
                }
            ),
            "participants_form": ParticipantsForm(initial={"clusters": edition.clusters.all()}),
            "file_form": DataFileForm(),
            "reports": {r.cluster_id: r for r in ClusterReport.objects.filter(edition=edition)},
            "worker_missing": heartbeat.worker_missing(),
            "generation_stopped": tasks.generation_stopped(edition),
        }
    )
    return render(request, "benchmarking/edition_detail.html", context)


def edition_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The general report: areas with median and benchmark, the participants by name."""
    edition = _edition(request, pk)
    context = reports.general_context(edition)
    context["can_manage"] = request.user.has_perm("benchmarking.manage_editions")
    return render(request, "benchmarking/general_report.html", context)


def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request, pk)
    _require(request, "benchmarking.manage_editions", edition)
    context = {
        "edition": edition,
        "worker_missing": heartbeat.worker_missing(),
        "generation_stopped": tasks.generation_stopped(edition),
    }
    return render(request, "benchmarking/_progress.html", context)


def _manage(request: HttpRequest, pk: int) -> Edition:
    edition = get_object_or_404(Edition.objects.select_related("framework"), pk=pk)
    _require(request, "benchmarking.manage_editions", edition)
    return edition


@require_POST
@login_required
def edition_participants(request: HttpRequest, pk: int) -> HttpResponse:
    edition = _manage(request, pk)
    form = ParticipantsForm(request.POST)
    if form.is_valid():
        try:
            services.set_participants(
                edition=edition, clusters=form.cleaned_data["clusters"], by=request.user
            )
            messages.success(request, _("The participants were saved."))
        except services.BenchmarkingError as exc:
            _errors(request, exc)
    return redirect("benchmarking:edition-detail", edition.pk)


@require_POST
@login_required
def edition_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The edition's number, contractor, financing and whether positions are published."""
    edition = _manage(request, pk)
    form = EditionDetailsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("benchmarking:edition-detail", edition.pk)
    try:
        services.update_edition_details(edition=edition, by=request.user, **form.cleaned_data)
    except services.BenchmarkingError as exc:
        for field, errors in exc.message_dict.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    else:
        messages.success(request, _("The edition's details were saved."))
    return redirect("benchmarking:edition-detail", edition.pk)


@require_POST
@login_required
def edition_import(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    edition = _manage(request, pk)
    form = DataFileForm(request.POST, request.FILES)
    if not form.is_valid():
        too_large = form.errors.get("file") if "file" in request.FILES else None
        messages.error(request, too_large[0] if too_large else _("Choose a CSV or XLSX file."))
        return redirect("benchmarking:edition-detail", edition.pk)
    upload = form.cleaned_data["file"]
    service = {
        "coordinator": services.import_cluster_data,
        "survey": services.import_survey_answers,
    }.get(kind)
    if service is None:
        raise Http404
    try:
        clusters, rows = service(
            edition=edition, source=upload, filename=upload.name, by=request.user
        )
    except services.BenchmarkingError as exc:
        messages.error(request, _("Nothing was imported: the file has errors."))
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Imported %(rows)s rows for %(clusters)s clusters.")
            % {"rows": rows, "clusters": clusters},
        )
    return redirect("benchmarking:edition-detail", edition.pk)


@require_POST
@login_required
def edition_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    edition = _manage(request, pk)
    try:
        if action == "compute":
            services.compute_edition(edition=edition, by=request.user)
            messages.success(request, _("The results were computed."))
        elif action in ("publish", "withdraw"):
            services.change_state(edition=edition, action=action, by=request.user)
        elif action == "generate-reports":
            if not edition.results_set.exists():
                raise services.BenchmarkingError(_("Compute the results first."))
            tasks.start_report_generation(edition)
            if heartbeat.worker_missing():
                messages.warning(
                    request,
                    _(
                        "The reports are queued, but the background worker is not running: "
                        "they will be generated when it starts."
                    ),
                )
            else:
                messages.success(request, _("The reports are being generated."))
        else:
            raise Http404
    except services.BenchmarkingError as exc:
        _errors(request, exc)
    return redirect("benchmarking:edition-detail", edition.pk)


@login_required
def edition_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results document (the shape of ``benchmark compute --json``), for analysts."""
    edition = get_object_or_404(Edition, pk=pk)
    _require(request, "benchmarking.export_results", edition)
    if not edition.document:
        raise Http404
    response = HttpResponse(edition.document, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="benchmarking-{edition.year}.json"'
    return response


def cluster_report(request: HttpRequest, pk: int, cluster_pk: int) -> HttpResponse:
    result = _result(request, pk, cluster_pk)
    report = ClusterReport.objects.filter(edition_id=pk, cluster_id=cluster_pk).first()
    context = reports.cluster_context(result, report)
    context["can_manage"] = request.user.has_perm("benchmarking.manage_editions")
    return render(request, "benchmarking/cluster_report.html", context)


def cluster_report_pdf(request: HttpRequest, pk: int, cluster_pk: int) -> HttpResponse:
    """The stored PDF (generated when missing or out of date), to whoever may see the report:
    analysts, and the cluster's coordinator once the edition is published."""
    result = _result(request, pk, cluster_pk)
    report = reports.current_report(result)
    return file_response(report.pdf, kind="pdf", filename=reports.pdf_filename(result))


@login_required
def cluster_report_texts(request: HttpRequest, pk: int, cluster_pk: int) -> HttpResponse:
    edition = _manage(request, pk)
    result = get_object_or_404(EditionResult, edition=edition, cluster_id=cluster_pk)
    report = ClusterReport.objects.filter(edition=edition, cluster_id=cluster_pk).first()
    initial = (
        {"good_practices": report.good_practices, "recommendations": report.recommendations}
        if report
        else {}
    )
    form = ReportTextsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_report_texts(
            edition=edition,
            cluster=result.cluster,
            good_practices=form.cleaned_data["good_practices"],
            recommendations=form.cleaned_data["recommendations"],
            by=request.user,
        )
        messages.success(request, _("The texts were saved."))
        return redirect("benchmarking:cluster-report", edition.pk, cluster_pk)
    return render(
        request,
        "benchmarking/report_texts_form.html",
        {"form": form, "edition": edition, "cluster": result.cluster},
    )
