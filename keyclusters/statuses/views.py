"""Pages: the public registry of key clusters, status timelines, certificates, verification
for funding agencies and the operators' API keys."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyclusters.accounts.client_address import client_address
from keyclusters.accounts.models import ApiKey
from keyclusters.domain.spreadsheet_safety import safe_cell, safe_row, xlsx_row
from keyclusters.registry import identity, spreadsheets
from keyclusters.registry import selectors as registry_selectors
from keyclusters.registry.models import Cluster

from . import public_registry, selectors, services, sharedcache, types
from .forms import (
    ApiKeyForm,
    CertificateCheckForm,
    MembershipCertificateForm,
    RegistryFilterForm,
    VerifyFileForm,
    VerifyOneForm,
    WithdrawForm,
)
from .models import Certificate, StatusGrant, StatusType

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT_COLUMNS = (
    "nip", "on", "key_cluster_member", "key_cluster_coordinator", "clusters", "member_since",
    "member_since_basis", "contested", "organisation", "valid", "error",
)  # fmt: skip
# after those when a funding instrument was asked about (docs/verification.md)
INSTRUMENT_COLUMNS = (
    "instrument", "instrument_version", "instrument_sha256", "eligible", "reason",
)  # fmt: skip


def _require(request: HttpRequest, permission: str, obj: object = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- public ----------------------------------------------------------------------------------


def _status_type(request: HttpRequest) -> tuple[StatusType, list[StatusType]]:
    """The status type whose registry is asked for (``?type=pkw``; the key cluster status when
    not given) and every type (for the links between their registries), in one query. An
    unknown type is not found."""
    every = types.all_types()
    code = request.GET.get("type") or types.KEY_CLUSTER
    for status_type in every:
        if status_type.code == code:
            return status_type, every
    raise Http404(gettext("The registry keeps no such status type."))


@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    """The public registry of one status type's holders on a date (``?type=``, by default the
    key clusters), with links to the other types' registries."""
    status_type, every = _status_type(request)
    form = RegistryFilterForm(request.GET, specialisations=registry_selectors.specialisations())
    values = form.values()
    on = values.pop("on")
    if form.errors:  # a date or filter that cannot be read: no list of another day
        context = {"form": form, "on": on, "clusters": [], "query": "",
                   "status_type": status_type, "status_types": every, "refused": True}  # fmt: skip
        return render(request, "statuses/registry.html", context, status=400)
    clusters = list(public_registry.holders_on(on, status_type=status_type.code, **values))
    query = request.GET.copy()
    query["on"] = on.isoformat()
    query["type"] = status_type.code
    context = {
        "form": form,
        "on": on,
        "clusters": clusters,
        "query": query.urlencode(),
        "status_type": status_type,
        "status_types": every,
    }
    return render(request, "statuses/registry.html", context)


@require_GET
def registry_export(request: HttpRequest, format: str) -> HttpResponse:
    status_type, _every = _status_type(request)
    form = RegistryFilterForm(request.GET, specialisations=registry_selectors.specialisations())
    values = form.values()
    on = values.pop("on")
    if form.errors:  # never the data of another day than the one asked for
        problems = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        if format == "json":
            return JsonResponse({"errors": problems}, status=400)
        text = "\n".join(f"{name}: {' '.join(errors)}" for name, errors in problems.items())
        return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")
    rows = public_registry.registry_rows(on, status_type=status_type, **values)
    filename = public_registry.export_filename(status_type, on, format)
    if format == "json":
        document = {
            "schema": "keyclusters.registry/1",
            "on": on.isoformat(),
            "status_type": {"code": status_type.code, "name": status_type.name()},
            "clusters": rows,
        }
        content = json.dumps(document, ensure_ascii=False, indent=1)
        return _download(content, "application/json; charset=utf-8", filename)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=public_registry.REGISTRY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return _download(out.getvalue(), "text/csv; charset=utf-8", filename)


@require_GET
def cluster_history(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster.objects.select_related("coordinator"), pk=pk)
    today = selectors.today()
    grants = selectors.grants_of(cluster).select_related("status_type")
    grants = selectors.with_continuity(list(grants))
    names = identity.names_over_time([cluster.pk])
    for grant in grants:
        grant.state_today = grant.state_on(today)
        # the name under which the status was granted, when the cluster bears another today
        named = names.on(cluster.pk, grant.decision_on, cluster.name)
        grant.name_then = named if named != cluster.name else ""
    held_today = {g.status_type_id: g.status_type for g in grants if g.state_today == "active"}
    context = {
        "cluster": cluster,
        "today": today,
        "grants": grants,
        "valid_today": types.KEY_CLUSTER in held_today,
        # the statuses of other types held today (the key cluster status has its own badge)
        "other_types_today": [t for code, t in held_today.items() if code != types.KEY_CLUSTER],
        "can_download": request.user.has_perm("statuses.download_status_certificate", cluster),
        "can_withdraw": request.user.has_perm("statuses.withdraw_status"),
    }
    return render(request, "statuses/cluster_history.html", context)


def _check_refused(request: HttpRequest) -> bool:
    """Whether this check of a typed certificate code goes over ``CERTIFICATE_CHECK_RATE``
    (e.g. ``"60/m"``) for the client's address: counted in fixed windows in Django's cache,
    as the verification API counts per key (a cache that does not answer lets it through)."""
    rate = getattr(settings, "CERTIFICATE_CHECK_RATE", "60/m")
    if not rate:
        return False
    number, _slash, unit = rate.partition("/")
    window = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit[:1], 60)
    address = client_address(request) or "unknown"
    key = f"certificate-check:{address}:{int(time.time() // window)}"
    count = sharedcache.attempt(lambda: sharedcache.count(key, window + 1), 0)
    return count > int(number)


def _refused_page(request: HttpRequest) -> HttpResponse:
    context = {"form": CertificateCheckForm(), "refused": True, "checked": False}
    return render(request, "statuses/certificate_check.html", context, status=429)


@require_GET
def certificate_check(request: HttpRequest) -> HttpResponse:
    """The public check of a certificate by its code (typed, or the address of its QR code):
    valid, revoked, expired, not yet valid or unknown, with what the certificate states."""
    form = CertificateCheckForm(request.GET if "code" in request.GET else None)
    context: dict = {"form": form, "checked": False}
    if form.is_bound and form.is_valid():
        if _check_refused(request):
            return _refused_page(request)
        code = form.cleaned_data["code"]
        found = Certificate.objects.select_related("status_grant").filter(code=code).first()
        check = services.certificate_check(found, today=selectors.today())
        context.update(checked=True, check=check, certificate=found, code=code)
    return render(request, "statuses/certificate_check.html", context)


@require_GET
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    found = Certificate.objects.select_related("status_grant").filter(code=code).first()
    check = services.certificate_check(found, today=selectors.today())
    context = {"check": check, "certificate": found, "code": code}
    if found is not None:
        from .certificates import qr_svg, verification_url

        url = verification_url(found, request)
        context.update(verification_url=url, qr_svg=qr_svg(url))
    return render(request, "statuses/certificate.html", context, status=200 if found else 404)


@require_GET
def instrument_catalogue(request: HttpRequest) -> HttpResponse:
    """The current catalogue of funding instruments, public: each instrument's terms in words,
    those the public sources do not state marked illustrative."""
    from . import instruments

    loaded = instruments.current()
    language = get_language() or "pl"
    entries = [
        {
            "id": instrument.id,
            "title": instrument.title.get(language),
            "terms": instruments.terms_in_words(instrument),
        }
        for instrument in loaded.catalogue.instruments
    ]
    context = {"loaded": loaded, "entries": entries}
    return render(request, "statuses/instruments.html", context)


@require_GET
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    found = get_object_or_404(Certificate, code=code)
    from .certificates import certificate_pdf as render_pdf

    return _download(render_pdf(found, request), "application/pdf", f"certificate-{code}.pdf")


# --- coordinators and operators --------------------------------------------------------------


@login_required
@require_POST
def status_certificate(request: HttpRequest, grant_pk: int) -> HttpResponse:
    grant = get_object_or_404(
        StatusGrant.objects.select_related("cluster__coordinator"), pk=grant_pk
    )
    _require(request, "statuses.download_status_certificate", grant.cluster)
    found = services.status_certificate(grant=grant, by=request.user)
    return redirect("statuses:certificate-pdf", code=found.code)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, grant_pk: int) -> HttpResponse:
    _require(request, "statuses.withdraw_status")
    grant = get_object_or_404(StatusGrant.objects.select_related("cluster"), pk=grant_pk)
    form = WithdrawForm(request.POST or None, initial={"withdrawn_on": selectors.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_status(
                grant=grant,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, gettext("The status was withdrawn."))
            return redirect("statuses:cluster-history", pk=grant.cluster_id)
    return render(request, "statuses/withdraw.html", {"grant": grant, "form": form})


# --- funding agencies ------------------------------------------------------------------------


def _with_instrument(answers: list[dict]) -> bool:
    return any("instrument" in a for a in answers)


def _result_rows(answers: list[dict]) -> list[list[str]]:
    """The rows of the results file: an answer per row, or for a value that is not a valid
    NIP the value with ``valid`` "no" and the reason in ``error``; with an instrument, its
    columns (``INSTRUMENT_COLUMNS``) after those."""
    rows = [_result_row(a) if a.get("valid", True) else
            [a["nip"], "", "", "", "", "", "", "", "", "no", a["error"]]
            for a in answers]  # fmt: skip
    if _with_instrument(answers):
        for row, a in zip(rows, answers, strict=True):
            row.extend(_instrument_cells(a))
    return rows


def _instrument_cells(a: dict) -> list[str]:
    if "instrument" not in a:  # not a valid NIP
        return ["", "", "", "", ""]
    chosen = a["instrument"]
    return [chosen["id"], str(chosen["version"]), chosen["sha256"],
            "yes" if a["eligible"] else "no", a["reason"] or ""]  # fmt: skip


def _result_row(a: dict) -> list[str]:
    organisation = a.get("organisation")
    return [
        a["nip"], a["on"], "yes" if a["key_cluster_member"] else "no",
        "yes" if a["key_cluster_coordinator"] else "no",
        "; ".join(m["cluster"]["name"] for m in a["memberships"]),
        "; ".join(m["member_since"] for m in a["memberships"]),
        "; ".join(selectors.basis_text(m) for m in a["memberships"]),
        "; ".join(f"yes {m['contested_on']}" if m.get("contested") else "no"
                  for m in a["memberships"]),
        organisation["name"] if organisation else "", "yes", "",
    ]  # fmt: skip


def _spreadsheet_header() -> list[str]:
    return [
        gettext("NIP"), gettext("On"), gettext("Key-cluster member"),
        gettext("Coordinator of a key cluster"), gettext("Clusters"), gettext("Member since"),
        gettext("Basis of the start"), gettext("Contested"), gettext("Organisation"),
        gettext("Valid NIP"), gettext("Reason"),
    ]  # fmt: skip


def _spreadsheet_rows(answers: list[dict], date_format: str) -> list[list[object]]:
    """The results for a person's spreadsheet: the rows of the documented file in words, yes
    and no as booleans, the date of the question and a single start as dates (several starts,
    and the dates of contests, are text in ``date_format``)."""

    def day(value: str) -> dt.date:
        return dt.date.fromisoformat(value)

    rows: list[list[object]] = []
    for a in answers:
        if not a.get("valid", True):
            rows.append([a["nip"], None, None, None, None, None, None, None, None, False,
                         a["error"]])  # fmt: skip
            continue
        memberships = a["memberships"]
        if len(memberships) == 1:
            since: object = day(memberships[0]["member_since"])
        else:
            since = "; ".join(day(m["member_since"]).strftime(date_format) for m in memberships)
        contested = [
            f"{gettext('yes')} ({day(m['contested_on']).strftime(date_format)})"
            if m.get("contested") and m.get("contested_on")
            else gettext("no")
            for m in memberships
        ]
        organisation = a.get("organisation")
        rows.append([
            a["nip"], day(a["on"]), a["key_cluster_member"], a["key_cluster_coordinator"],
            "; ".join(m["cluster"]["name"] for m in memberships) or None, since or None,
            "; ".join(selectors.basis_text(m) for m in memberships) or None,
            "; ".join(contested) or None, organisation["name"] if organisation else None,
            True, None,
        ])  # fmt: skip
    return rows


def _spreadsheet_file(answers: list[dict], format: str, on: str) -> HttpResponse:
    header = _spreadsheet_header()
    rows = _spreadsheet_rows(answers, spreadsheets.active_dialect().date_format)
    if _with_instrument(answers):
        from . import instruments

        header += [gettext("Funding instrument"), gettext("Eligible"), gettext("Why")]
        for row, a in zip(rows, answers, strict=True):
            if "instrument" not in a:
                row.extend([None, None, None])
                continue
            title = instruments.choose(a["instrument"]["id"]).instrument.title.get(
                get_language() or "pl"
            )
            row.extend([title, a["eligible"], instruments.reason_text(a)])
    if format == "spreadsheet-xlsx":
        content = spreadsheets.xlsx_file(gettext("Verification"), header, rows)
        return _download(content, spreadsheets.XLSX_TYPE, f"verification-{on}-spreadsheet.xlsx")
    content = spreadsheets.csv_file(header, rows)
    return _download(content, spreadsheets.CSV_TYPE, f"verification-{on}-spreadsheet.csv")


def _results_file(answers: list[dict], format: str, on: str) -> HttpResponse:
    if format.startswith("spreadsheet-"):
        return _spreadsheet_file(answers, format, on)
    rows = _result_rows(answers)
    columns = RESULT_COLUMNS + (INSTRUMENT_COLUMNS if _with_instrument(answers) else ())
    if format == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("verification")
        sheet.append(xlsx_row(sheet, columns))
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
        out = io.BytesIO()
        workbook.save(out)
        return _download(out.getvalue(), XLSX, f"verification-{on}.xlsx")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(safe_row(columns))
    writer.writerows(safe_row(row) for row in rows)
    return _download(text.getvalue(), "text/csv; charset=utf-8", f"verification-{on}.csv")


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    _require(request, "statuses.verify_membership")
    action = request.POST.get("action") if request.method == "POST" else None
    one = VerifyOneForm(request.POST if action == "one" else None)
    upload = VerifyFileForm(
        request.POST if action == "file" else None,
        request.FILES if action == "file" else None,
        auto_id="file_%s",  # the two forms share a page: their fields' ids differ
    )
    answer, file_errors = None, []
    if action == "one" and one.is_valid():
        data = one.cleaned_data
        answer = selectors.verify_nip(
            data["nip"],
            on=data["on"] or selectors.today(),
            min_months=data["min_months"],
            instrument=data["instrument"],
        )
    elif action == "file" and upload.is_valid():
        from .management.commands.verify import read_values

        data, uploaded = upload.cleaned_data, upload.cleaned_data["file"]
        on = data["on"] or selectors.today()
        try:
            rows = read_values(uploaded, uploaded.name)
        except ValueError as exc:  # the file as a whole cannot be read
            file_errors = str(exc).splitlines()
        else:
            values = [value for _row, value in rows]
            answers = selectors.verify_values(
                values, on=on, min_months=data["min_months"], instrument=data["instrument"]
            )
            return _results_file(answers, data["format"], on.isoformat())
    context = {"one": one, "upload": upload, "answer": answer, "file_errors": file_errors}
    return render(request, "statuses/verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_certificate(request: HttpRequest) -> HttpResponse:
    _require(request, "statuses.issue_membership_certificate")
    form = MembershipCertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.membership_certificate(
                nip=form.cleaned_data["nip"],
                on=form.cleaned_data["on"] or selectors.today(),
                by=request.user,
                instrument=form.cleaned_data["instrument"] or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("statuses:certificate", code=issued.code)
    return render(request, "statuses/membership_certificate.html", {"form": form})


# --- operators: API keys ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    _require(request, "statuses.manage_api_keys")
    form = ApiKeyForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = services.issue_api_key(
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            by=request.user,
        )
        form = ApiKeyForm()
    keys = ApiKey.objects.select_related("created_by").order_by("revoked_at", "-created_at")
    context = {"form": form, "issued": issued, "keys": keys}
    return render(request, "statuses/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "statuses.manage_api_keys")
    api_key = get_object_or_404(ApiKey, pk=pk)
    services.revoke_api_key(api_key=api_key, by=request.user)
    messages.success(
        request, gettext("The key %(prefix)s was revoked.") % {"prefix": api_key.prefix}
    )
    return redirect("statuses:api-keys")
