"""Forms of the benchmarking pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keyclusters.domain.benchmarking import NORMALISATIONS
from keyclusters.registry import uploads
from keyclusters.registry.models import Cluster

from .models import Edition, Framework


class EditionForm(forms.Form):
    framework = forms.ModelChoiceField(label=_("Framework"), queryset=Framework.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=200)
    normalisation = forms.ChoiceField(
        label=_("Normalisation"),
        required=False,
        choices=[("", _("as the framework says"))] + [(m, m) for m in NORMALISATIONS],
    )
    clusters = forms.ModelMultipleChoiceField(
        label=_("Participating clusters"),
        queryset=Cluster.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Clusters named in an imported data file are added automatically."),
    )


class EditionDetailsForm(forms.Form):
    number = forms.IntegerField(label=_("Edition number"), required=False, min_value=1)
    contractor = forms.CharField(label=_("Contractor"), required=False, max_length=300)
    financing = forms.CharField(label=_("Financing"), required=False, max_length=300)
    publish_position = forms.BooleanField(
        label=_(
            "Tell each cluster its place in the general classification and its gap to the leader"
        ),
        required=False,
    )


class ParticipantsForm(forms.Form):
    clusters = forms.ModelMultipleChoiceField(
        label=_("Participating clusters"),
        queryset=Cluster.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )


class DataFileForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

    def clean_file(self):
        return uploads.clean_upload(self.cleaned_data["file"], "benchmarking")


class ReportTextsForm(forms.Form):
    good_practices = forms.CharField(
        label=_("Good practices"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


__all__ = [
    "DataFileForm",
    "Edition",
    "EditionDetailsForm",
    "EditionForm",
    "ParticipantsForm",
    "ReportTextsForm",
]
