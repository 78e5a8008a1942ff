"""Pages of the monitoring app: the operator's list of yearly reports, the coordinator's
reports, a report (edited, autosaved and submitted by its coordinator, with its attached
documents; reviewed by an operator) and the ministry's table of one indicator across holders
and years."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format, time_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.private_files import download_name, file_response
from keyclusters.registry import spreadsheets
from keyclusters.registry.models import Cluster

from . import charts, ministry, selectors, services
from .forms import DocumentForm, OpenReportsForm, ReturnForm, report_form
from .models import ReportDocument, YearlyReport, localized


def _require(request: HttpRequest, permission: str, obj: object = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _report(pk: int) -> YearlyReport:
    return get_object_or_404(
        YearlyReport.objects.select_related("cluster", "framework", "status_grant"), pk=pk
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the operator ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """Every yearly report (of a year), the overdue ones and the alerts; opening a year."""
    _require(request, "monitoring.manage_reports")
    today = timezone.localdate()
    form = OpenReportsForm(request.POST or None, initial={"year": today.year - 1})
    framework = selectors.latest_framework()
    if request.method == "POST" and form.is_valid():
        if framework is None:
            form.add_error(None, _("No monitoring framework is stored."))
        else:
            try:
                opened = services.open_reports(
                    year=form.cleaned_data["year"], framework=framework, by=request.user
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Reports opened: %(created)s; already open: %(existing)s.")
                    % {
                        "created": number_format(len(opened.created)),
                        "existing": number_format(opened.existing),
                    },
                )
                return redirect(f"{reverse('monitoring:reports')}?year={form.cleaned_data['year']}")
    years = selectors.report_years()
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0)) or None
    except ValueError:
        year = None
    return render(
        request,
        "monitoring/report_list.html",
        {
            "form": form,
            "framework": framework,
            "years": years,
            "year": year,
            "reports": selectors.reports_of_year(year),
            "overdue": selectors.overdue_reports(today),
            "alerts": selectors.alerts(today),
            "today": today,
        },
    )


# --- the coordinator -------------------------------------------------------------------------


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role("coordinator"):
        raise PermissionDenied
    return render(
        request,
        "monitoring/my_reports.html",
        {"reports": selectors.reports_for_coordinator(request.user)},
    )


def _rows(report: YearlyReport) -> list[dict]:
    """Each indicator with its title, unit and value for the report's page."""
    definition = report.framework.parsed
    applied = selectors.application_figures(report)
    rows = []
    for indicator in definition.indicators:
        source = report.registry_values if indicator.from_registry else report.values
        rows.append(
            {
                "id": indicator.id,
                "title": localized(indicator.title),
                "unit": localized(indicator.unit) if indicator.unit else "",
                "from_registry": indicator.from_registry,
                "required": indicator.required,
                "value": selectors.indicator_value(report, indicator.id, indicator.from_registry),
                "raw": source.get(indicator.id),
                "applied": applied.get(indicator.id),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report: its figures; the coordinator saves (``action=save``) and submits
    (``action=submit``, asked first) while it is a draft or returned."""
    report = _report(pk)
    _require(request, "monitoring.read_report", report)
    may_edit = request.user.has_perm("monitoring.edit_report", report) and report.editable
    form = report_form(report, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(request, "monitoring.edit_report", report)
        action = request.POST.get("action")
        if action not in ("save", "submit"):
            form.add_error(None, _("Choose whether to save or to submit the report."))
        elif form.is_valid():
            try:
                saved = services.save_values(
                    report=report,
                    values=form.values(),
                    by=request.user,
                    version=form.edited_version(),
                )
                if action == "submit":
                    try:
                        services.check_complete(saved)
                    except ValidationError as exc:
                        # saved as a draft, not submitted: the form goes on from the new version
                        posted = request.POST.copy()
                        posted["version"] = str(saved.version)
                        form = report_form(saved, posted)
                        form.is_valid()
                        _add_errors(form, exc)
                        form.add_error(
                            None,
                            _(
                                "The figures were saved as a draft, but the report was not "
                                "submitted: give the figures named below first."
                            ),
                        )
                        return _render_report(request, saved, form=form, may_edit=may_edit)
                    if confirmation_needed(request):
                        # the confirmation posts the figures again, from the version just saved
                        posted = request.POST.copy()
                        posted["version"] = str(saved.version)
                        request.POST = posted
                        return _confirm_submit(request, report)
                    services.submit_report(report=report, by=request.user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The report was submitted to the operators.")
                    if action == "submit"
                    else _("The figures were saved."),
                )
                return redirect("monitoring:report", pk=report.pk)
    return _render_report(request, report, form=form, may_edit=may_edit)


def _render_report(
    request: HttpRequest,
    report: YearlyReport,
    *,
    form=None,
    may_edit: bool,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = _rows(report)
    autosaved = (
        report.history.filter(history_change_reason="autosave")
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "report": report,
            "rows": rows,
            "form": form if form is not None else report_form(report),
            "may_edit": may_edit,
            "document_form": document_form or DocumentForm(),
            "documents": report.documents.select_related("uploaded_by"),
            "max_documents": services.MAX_DOCUMENTS,
            "autosaved_at": timezone.localtime(autosaved) if autosaved else None,
            "may_review": request.user.has_perm("monitoring.review_report")
            and report.state == YearlyReport.State.SUBMITTED,
            "return_form": ReturnForm(),
            "framework": report.framework.parsed,
            "compared": any(row["applied"] is not None for row in rows),
            "history": _history(report),
        },
        status=status,
    )


HISTORY_LENGTH = 20


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _report_action(entry, older) -> str:
    """What a history record of the report did: its reason (set by the services), else (an
    older record) its kind and the state it left the report in."""
    actions = {
        "opened": pgettext("report history", "Opened"),
        "saved": pgettext("report history", "Saved"),
        "autosave": pgettext("report history", "Saved automatically"),
        "submitted": pgettext("report history", "Submitted"),
        "returned": pgettext("report history", "Returned for corrections"),
        "accepted": pgettext("report history", "Accepted"),
    }
    if entry.history_change_reason in actions:
        return actions[entry.history_change_reason]
    if entry.history_type == "+":
        return actions["opened"]
    if older is not None and older.state != entry.state:
        return actions.get(entry.state, pgettext("report history", "Changed"))
    if older is not None and older.values != entry.values:
        return actions["saved"]
    return pgettext("report history", "Changed")


def _history(report: YearlyReport) -> list[dict]:
    """The report's latest changes, newest first: what was done (saved, saved automatically,
    submitted, returned, accepted; a document attached or removed), by whom and when."""
    records = list(
        report.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_LENGTH + 1
        ]
    )
    older = [*records[1:], None]  # the record before each (none before the oldest read)
    entries = [
        {
            "at": entry.history_date,
            "action": _report_action(entry, older[index]),
            "by": _person(entry.history_user),
        }
        for index, entry in enumerate(records[:HISTORY_LENGTH])
    ]
    documents = (
        ReportDocument.history.filter(report_id=report.pk, history_type__in=["+", "-"])
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LENGTH]
    )
    for entry in documents:
        action = (
            _("Document “%(name)s” attached")
            if entry.history_type == "+"
            else _("Document “%(name)s” removed")
        )
        entries.append(
            {
                "at": entry.history_date,
                "action": action % {"name": entry.file_name},
                "by": _person(entry.history_user),
            }
        )
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:HISTORY_LENGTH]


@require_POST
@login_required
def report_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """The page's script saves the figures a few seconds after the last change, with the
    report's version the page shows. JSON: ``{"saved_at", "message", "version"}``; bad values
    (400) are named by field in ``errors`` and nothing is written; a save from an older version
    (409: someone else saved meanwhile) or of a report no longer editable writes nothing."""
    report = _report(pk)
    _require(request, "monitoring.read_report", report)
    _require(request, "monitoring.edit_report", report)
    form = report_form(report, request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"message": _("Not saved: correct the figures named below."),
             "errors": {name: list(errors) for name, errors in form.errors.items()}},
            status=400,
        )  # fmt: skip
    version = form.edited_version()
    if version is None:
        return JsonResponse({"message": _("Not saved: reload the page."), "errors": {}}, status=400)
    try:
        saved = services.save_values(
            report=report, values=form.values(), by=request.user, version=version,
            reason="autosave",
        )  # fmt: skip
    except services.StaleReport as exc:
        return JsonResponse({"message": exc.messages[0], "stale": True, "errors": {}}, status=409)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            return JsonResponse(
                {"message": _("Not saved: correct the figures named below."),
                 "errors": exc.message_dict},
                status=400,
            )  # fmt: skip
        return JsonResponse({"message": " ".join(exc.messages), "errors": {}}, status=409)
    at = timezone.localtime()
    return JsonResponse(
        {
            "saved_at": at.isoformat(),
            "version": saved.version,
            "message": _("Saved automatically at %(time)s") % {"time": time_format(at, "H:i")},
            "errors": {},
        }
    )


# --- the report's documents ------------------------------------------------------------------


@require_POST
@login_required
def report_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator attaches a document to a draft or returned report."""
    report = _report(pk)
    _require(request, "monitoring.read_report", report)
    _require(request, "monitoring.edit_report", report)
    if not report.editable:
        messages.error(request, _("This report can no longer be changed."))
        return redirect("monitoring:report", pk=report.pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(report=report, upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The document has been attached."))
            return redirect("monitoring:report", pk=report.pk)
    return _render_report(request, report, may_edit=report.editable, document_form=form, status=400)


def _document(request: HttpRequest, pk: int) -> ReportDocument:
    found = get_object_or_404(
        ReportDocument.objects.select_related("report__cluster", "report__framework"), pk=pk
    )
    _require(request, "monitoring.read_report", found.report)
    return found


@login_required
@require_safe
def report_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of a report, to the report's coordinator and operators."""
    found = _document(request, pk)
    if not found.file:
        raise Http404
    return file_response(
        found.file,
        kind=found.kind,
        filename=download_name(found.file_name, found.kind, default="document"),
    )


@require_POST
@login_required
def report_document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator removes a document of a draft or returned report (asked first)."""
    found = _document(request, pk)
    report = found.report
    _require(request, "monitoring.edit_report", report)
    back = reverse("monitoring:report", args=[report.pk])
    if not report.editable:
        messages.error(request, _("This report can no longer be changed."))
        return redirect(back)
    if confirmation_needed(request):
        return ask_to_confirm(
            request,
            title=_("Remove the document?"),
            facts=[
                (_("Document"), found.file_name),
                (_("Cluster"), report.cluster.name),
                (_("Year"), str(report.year)),
            ],
            consequences=[
                _("The document is removed from the report and deleted; it cannot be restored."),
            ],
            button=_("Remove the document"),
            cancel_url=back,
        )
    try:
        services.remove_document(document=found, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The document has been removed."))
    return redirect(back)


def _confirm_submit(request: HttpRequest, report: YearlyReport) -> HttpResponse:
    return ask_to_confirm(
        request,
        title=_("Submit the yearly report?"),
        facts=[
            (_("Cluster"), report.cluster.name),
            (_("Year"), str(report.year)),
            (_("Due on"), date_format(report.due_on, "j E Y")),
        ],
        consequences=[
            _(
                "The report goes to the operators for review; you cannot change it any more "
                "unless an operator returns it to you."
            ),
        ],  # fmt: skip
        button=_("Submit the report"),
        cancel_url=reverse("monitoring:report", args=[report.pk]),
        danger=False,
    )


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """An operator accepts the submitted report or returns it with a note (asked first)."""
    _require(request, "monitoring.review_report")
    report = _report(pk)
    action = request.POST.get("action")
    form = ReturnForm(request.POST)
    back = reverse("monitoring:report", args=[report.pk])
    if action not in ("accept", "return"):
        messages.error(request, _("Choose whether to accept or to return the report."))
        return redirect(back)
    if action == "return" and not form.is_valid():
        messages.error(request, _("Say what the coordinator should correct."))
        return redirect(back)
    if report.state != YearlyReport.State.SUBMITTED:
        messages.error(request, _("Only a submitted report can be reviewed."))
        return redirect(back)
    if confirmation_needed(request):
        return _confirm_review(request, report, action, form)
    try:
        if action == "accept":
            services.accept_report(report=report, by=request.user)
            messages.success(request, _("The report was accepted."))
        else:
            services.return_report(report=report, note=form.cleaned_data["note"], by=request.user)
            messages.success(request, _("The report was returned to the coordinator."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(back)


def _confirm_review(request: HttpRequest, report: YearlyReport, action: str, form) -> HttpResponse:
    facts = [(_("Cluster"), report.cluster.name), (_("Year"), str(report.year))]
    if action == "accept":
        return ask_to_confirm(
            request,
            title=_("Accept the yearly report?"),
            facts=facts,
            consequences=[_("The report is accepted as final; nobody can change it any more.")],
            button=_("Accept the report"),
            cancel_url=reverse("monitoring:report", args=[report.pk]),
            danger=False,
        )
    return ask_to_confirm(
        request,
        title=_("Return the yearly report to the coordinator?"),
        facts=[*facts, (_("Note"), form.cleaned_data["note"])],
        consequences=[
            _(
                "The coordinator is asked to correct the report and submit it again; the note "
                "is shown on the report."
            ),
        ],  # fmt: skip
        button=_("Return the report"),
        cancel_url=reverse("monitoring:report", args=[report.pk]),
    )


# --- the ministry's view ---------------------------------------------------------------------


def _indicator_choice(request: HttpRequest):
    framework = selectors.latest_framework()
    if framework is None:
        return None, None
    definition = framework.parsed
    chosen = definition.indicator(request.GET.get("indicator", "")) or definition.indicators[0]
    return definition, chosen


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """One indicator across holders and years (accepted reports), as a table, a chart and
    CSV (``?format=csv``)."""
    _require(request, "monitoring.read_indicators")
    definition, chosen = _indicator_choice(request)
    if definition is None or chosen is None:
        return render(request, "monitoring/indicators.html", {"definition": None})
    table = selectors.indicator_table(chosen.id, chosen.from_registry, accepted_only=True)
    title = localized(chosen.title)
    rows = ministry.rows_with_application(table, chosen)
    if request.GET.get("format") in ("csv", "xlsx"):
        return _export(request.GET["format"], table.years, rows, title, bool(chosen.compare_with))
    return render(
        request,
        "monitoring/indicators.html",
        {
            "definition": definition,
            "choices": [(i.id, localized(i.title)) for i in definition.indicators],
            "chosen": chosen,
            "title": title,
            "unit": localized(chosen.unit) if chosen.unit else "",
            "table": table,
            "rows": rows,
            "chart": charts.indicator_chart(table, title=title),
        },
    )


def _export(
    format: str,
    years: list[int],
    rows: list[tuple[Cluster, list[Decimal | None], Decimal | None]],
    title: str,
    compared: bool,
) -> HttpResponse:
    """The table as a spreadsheet in the page's language (``registry.spreadsheets``): a row per
    holder, a column per year and, for an indicator compared with the application, the figure
    of the application that won the holder's status."""
    header: list[object] = [_("Cluster"), *years]
    if compared:
        header.append(_("In the application"))
    lines = [
        [cluster.name, *values, *([applied] if compared else [])]
        for cluster, values, applied in rows
    ]
    if format == "csv":
        content = spreadsheets.csv_file([str(cell) for cell in header], lines)
        content_type = spreadsheets.CSV_TYPE
    else:
        content = spreadsheets.xlsx_file(title, header, lines)
        content_type = spreadsheets.XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.{format}")
    return response
