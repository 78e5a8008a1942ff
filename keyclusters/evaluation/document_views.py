"""The minister's document of a decided call: the page that records it (once, confirmed first,
stating the statuses it grants or names) and shows it afterwards."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from keyclusters.accounts.confirmation import ask_to_confirm, confirmation_needed
from keyclusters.competitions import rulebook_words as words
from keyclusters.competitions.models import Call
from keyclusters.competitions.texts import report_errors
from keyclusters.domain.evaluation import status_validity

from . import minister_document
from .base import EvaluationError
from .models import MinisterDocument


class DocumentForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Document number"), max_length=100)
    issued_on = forms.DateField(
        label=gettext_lazy("Issue date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    signatory = forms.CharField(label=gettext_lazy("Signed by (name and function)"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("number", "signatory"):
            self.fields[name].widget.attrs["class"] = "form-control"


def _may_see(user) -> bool:
    return user.has_perm("evaluation.manage") or user.has_perm("evaluation.decide")


@login_required
def document_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_see(request.user):
        raise PermissionDenied
    call = get_object_or_404(Call.objects.select_related("rulebook"), pk=pk)
    document = MinisterDocument.objects.filter(call=call).first()
    form = DocumentForm()
    if request.method == "POST" and document is None:
        if not minister_document.may_record(request.user):
            raise PermissionDenied
        form = DocumentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if confirmation_needed(request):
                    errors = minister_document.check_document(
                        call,
                        number=data["number"].strip(),
                        issued_on=data["issued_on"],
                        signatory=data["signatory"].strip(),
                        today=timezone.localdate(),
                    )
                    if errors:
                        raise EvaluationError(errors)
                    return _confirm(request, call, data)
                minister_document.issue_document(
                    call=call,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    signatory=data["signatory"],
                    by=request.user,
                )
            except EvaluationError as exc:
                _form_errors(request, form, exc)
            else:
                messages.success(request, _("The minister's document has been recorded."))
                return redirect(reverse("evaluation:document", args=[call.pk]))
    recommendation = minister_document.approved_list(call)
    recommended = (
        sum(1 for row in recommendation.outcomes if row["recommended"]) if recommendation else 0
    )
    return render(
        request,
        "evaluation/minister_document.html",
        {
            "call": call,
            "document": document,
            "form": form,
            "recommendation": recommendation,
            "recommended": recommended,
            "from_document": minister_document.counts_from_document(call),
            "grants": call.status_grants.select_related("cluster").order_by("cluster__name"),
            "may_record": minister_document.may_record(request.user),
        },
    )


def _form_errors(request: HttpRequest, form: DocumentForm, exc: EvaluationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(None if field == "__all__" else field, errors)
    else:
        report_errors(request, exc)


def _confirm(request: HttpRequest, call: Call, data: dict) -> HttpResponse:
    recommendation = minister_document.approved_list(call)
    assert recommendation is not None
    recommended = sum(1 for row in recommendation.outcomes if row["recommended"])
    issued_on = data["issued_on"]
    facts = [
        (_("Call"), call.name),
        (_("Document number"), data["number"].strip()),
        (_("Issue date"), date_format(issued_on, "DATE_FORMAT")),
        (_("Signed by"), data["signatory"].strip()),
    ]
    if minister_document.counts_from_document(call):
        valid_from, valid_to = status_validity(call.rulebook.parsed().status, issued_on)
        consequence = ngettext(
            "%(count)s cluster is granted the key cluster status, valid from %(start)s through "
            "%(end)s (the rulebook counts the status from the document's issue date).",
            "%(count)s clusters are granted the key cluster status, valid from %(start)s through "
            "%(end)s (the rulebook counts the status from the document's issue date).",
            recommended,
        ) % {
            "count": words.number(recommended),
            "start": date_format(valid_from, "DATE_FORMAT"),
            "end": date_format(valid_to, "DATE_FORMAT"),
        }
    else:
        consequence = ngettext(
            "The document's number and date are written on the %(count)s status granted by the "
            "decision, and on its certificates.",
            "The document's number and date are written on the %(count)s statuses granted by "
            "the decision, and on their certificates.",
            recommended,
        ) % {"count": words.number(recommended)}
    return ask_to_confirm(
        request,
        title=_("Record the minister's document?"),
        facts=facts,
        consequences=[
            consequence,
            _(
                "The document cannot be changed or removed once it is recorded; your name is "
                "recorded with it."
            ),
        ],  # fmt: skip
        button=_("Record the document"),
        cancel_url=reverse("evaluation:document", args=[call.pk]),
    )
