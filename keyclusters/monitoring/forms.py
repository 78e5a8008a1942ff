"""Forms of the monitoring pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import YearlyReport, localized


class OpenReportsForm(forms.Form):
    year = forms.IntegerField(label=_("Year reported on"), min_value=2015, max_value=2100)


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the coordinator correct?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class ReportForm(forms.Form):
    """A text field for each reported indicator (the service checks the numbers)."""

    def __init__(self, *args, report: YearlyReport, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        for indicator in report.framework.parsed.reported_indicators:
            unit = localized(indicator.unit) if indicator.unit else ""
            self.fields[indicator.id] = forms.CharField(
                label=localized(indicator.title),
                required=False,
                max_length=40,
                initial=report.values.get(indicator.id, ""),
                help_text=unit,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
            )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


def report_form(report: YearlyReport, data=None) -> ReportForm:
    return ReportForm(data, report=report)
