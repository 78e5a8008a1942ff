"""Forms of the monitoring pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from keyclusters.registry import uploads

from .models import YearlyReport, localized


def typed(value: object) -> str:
    """A stored figure (the text of a Decimal) as typed in the active language: its decimal
    separator, no thousands separator, the stored decimal places ("899212000,00" in Polish)."""
    text = str(value or "")
    try:
        Decimal(text)
    except InvalidOperation:
        return text
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


class OpenReportsForm(forms.Form):
    year = forms.IntegerField(label=_("Year reported on"), min_value=2015, max_value=2100)


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the coordinator correct?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class ReportForm(forms.Form):
    """A text field for each reported indicator (the service checks the numbers), and the
    report's version the figures were edited from (hidden: a save from an older version is
    refused)."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, report: YearlyReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["version"].initial = report.version
        for indicator in report.framework.parsed.reported_indicators:
            unit = localized(indicator.unit) if indicator.unit else ""
            self.fields[indicator.id] = forms.CharField(
                label=localized(indicator.title),
                required=False,
                max_length=40,
                initial=typed(report.values.get(indicator.id, "")),
                help_text=unit,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
            )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.fields if name != "version"}

    def edited_version(self) -> int | None:
        return self.cleaned_data.get("version")


class DocumentForm(forms.Form):
    """A document attached to a report (its size is checked before it is read; its kind by
    the service, from its content)."""

    file = forms.FileField(
        label=_("Document (PDF, DOCX, XLSX, ODT or ODS)"),
        widget=forms.FileInput(
            attrs={"class": "form-control", "accept": ".pdf,.docx,.xlsx,.odt,.ods"}
        ),
    )

    def clean_file(self):
        return uploads.clean_upload(self.cleaned_data["file"], "documents")


def report_form(report: YearlyReport, data=None) -> ReportForm:
    return ReportForm(data, report=report)
