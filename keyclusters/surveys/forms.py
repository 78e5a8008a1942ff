"""The member survey's forms: opening a year's survey, and the public answer form built from the
survey's questions (its values are checked by :func:`services.submit_answers`)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from keyclusters.domain.monitoring import Survey as SurveyDefinition
from keyclusters.domain.monitoring.survey import TEXT_MAX_LENGTH
from keyclusters.monitoring.models import localized
from keyclusters.registry.models import Cluster

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class OpenSurveyForm(forms.Form):
    cluster = forms.ModelChoiceField(
        label=_("Cluster"), queryset=Cluster.objects.none(), widget=forms.Select(attrs=_SELECT)
    )
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=_TEXT)
    )
    closes_on = forms.DateField(
        label=_("Last day of answers"),
        widget=forms.DateInput(attrs={"type": "date", **_TEXT}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, clusters: QuerySet[Cluster], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters


class AnswerForm(forms.Form):
    """One field per question; every value is a text, checked by the service."""

    def __init__(self, definition: SurveyDefinition, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in definition.questions:
            label = localized(question.title)
            field: forms.Field
            if question.type == "scale":
                scale = question.scale_or_default
                choices = [
                    (str(v), f"{v} – {localized(scale.labels[v])}" if v in scale.labels else str(v))
                    for v in scale.values
                ]
                field = forms.ChoiceField(
                    label=label, choices=choices, required=False, widget=forms.RadioSelect
                )
            elif question.type == "choice":
                choices = [(c.id, localized(c.title)) for c in question.choices or ()]
                field = forms.ChoiceField(
                    label=label, choices=choices, required=False, widget=forms.RadioSelect
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=TEXT_MAX_LENGTH,
                    widget=forms.Textarea(attrs={**_TEXT, "rows": 4}),
                )
            field.question_required = question.required  # type: ignore[attr-defined]
            self.fields[question.id] = field

    def raw(self) -> dict[str, str]:
        """The values as posted (the service checks them and names each bad one)."""
        return {name: self.data.get(name, "") for name in self.fields}
