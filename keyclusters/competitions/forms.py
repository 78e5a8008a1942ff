"""Forms of the competitions app; the application form is generated from the rulebook."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keyclusters.domain.rulebook.model import localized
from keyclusters.registry import uploads

from .models import Application


def _label(spec) -> str:
    return localized(spec.title, (get_language() or "pl")[:2]) or spec.id


def application_form_class(application: Application, editable: list[str]) -> type[forms.Form]:
    """A form with one control per applicant field of the rulebook; others are disabled."""
    rulebook = application.call.rulebook.parsed()
    fields: dict[str, forms.Field] = {}
    for spec in rulebook.fields:
        if spec.source == "registry":
            continue
        common = {
            "label": _label(spec),
            "required": False,
            "disabled": spec.id not in editable,
            "help_text": localized(spec.guidance, (get_language() or "pl")[:2]),
        }
        if spec.type == "integer":
            field: forms.Field = forms.IntegerField(min_value=0, **common)
        elif spec.type in ("decimal", "money", "percent"):
            field = forms.DecimalField(
                decimal_places=2,
                max_digits=16,
                min_value=0,
                max_value=100 if spec.type == "percent" else None,
                **common,
            )
        elif spec.type == "boolean":
            field = forms.BooleanField(**common)
        elif spec.type == "date":
            field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        elif spec.type == "document":
            field = forms.FileField(
                widget=forms.ClearableFileInput(
                    attrs={"accept": ".pdf,.docx,.xlsx,application/pdf"}
                ),
                validators=[uploads.size_validator("documents")],
                **common,
            )
        else:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        field.widget.attrs.setdefault("class", "form-control")
        if spec.type == "boolean":
            field.widget.attrs["class"] = "form-check-input"
        fields[spec.id] = field
    return type("ApplicationForm", (forms.Form,), fields)


class CompletionRequestForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Items to complete"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    note = forms.CharField(
        label=_("What is missing"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, item_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = item_choices


class FailForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def reason_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["reasons"].splitlines() if line.strip()]


FORMAL_CHECKLIST = [
    ("history", _("The cluster's history and activity are documented")),
    ("strategy", _("The development strategy is attached and current")),
    ("action_plan", _("The action plan is attached")),
    ("critical_mass", _("The member list shows the critical mass")),
    ("concentration", _("The members are geographically concentrated")),
    ("signatures", _("The application is signed by the coordinator's representatives")),
]


class ChecklistForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in FORMAL_CHECKLIST:
            self.fields[key] = forms.BooleanField(
                label=label,
                required=True,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
