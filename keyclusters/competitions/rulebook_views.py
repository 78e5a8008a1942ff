"""Operator pages: the stored rulebooks (upload with validation, reading) and new calls."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from keyclusters.domain.rulebook import RulebookInvalid, localized
from keyclusters.registry import uploads

from . import rulebook_words as words
from . import services
from .labels import STAGE_KINDS
from .models import StoredRulebook
from .services.base import WARSAW
from .texts import rulebook_error_text


def _require_operator(request: HttpRequest) -> None:
    if not request.user.has_perm("competitions.manage_calls"):
        raise PermissionDenied


class RulebookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Rulebook (YAML)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".yaml,.yml"}),
        validators=[uploads.size_validator("rulebooks")],
    )


class CallForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    round_label = forms.CharField(label=gettext_lazy("Round"), max_length=16, required=False)
    rulebook = forms.ModelChoiceField(
        label=gettext_lazy("Rulebook"),
        queryset=StoredRulebook.objects.filter(kind="status-competition"),
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens (Warsaw time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes (Warsaw time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    decision_on = forms.DateField(
        label=gettext_lazy("Planned decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if field is self.fields["rulebook"] else "form-control"
            )

    def clean(self):
        data = super().clean()
        for key in ("opens_at", "closes_at"):
            value = data.get(key)
            if isinstance(value, dt.datetime):
                data[key] = value.replace(tzinfo=None).replace(tzinfo=WARSAW)
        return data


@login_required
def rulebook_list(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    form = RulebookUploadForm()
    errors: list[str] = []
    if request.method == "POST":
        form = RulebookUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                errors = [_("The file is not UTF-8 text.")]
            else:
                try:
                    stored = services.store_rulebook(source=text, by=request.user)
                except RulebookInvalid as exc:
                    errors = [rulebook_error_text(error) for error in exc.errors]
                except services.CompetitionError as exc:
                    errors = list(exc.messages)
                else:
                    messages.success(
                        request,
                        _("Stored %(id)s version %(version)s.")
                        % {"id": stored.rulebook_id, "version": stored.version},
                    )
                    return redirect("competitions:rulebook-detail", pk=stored.pk)
    return render(
        request,
        "competitions/rulebook_list.html",
        {"rulebooks": StoredRulebook.objects.all(), "form": form, "errors": errors},
    )


def rulebook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: the rules of a competition are no secret."""
    stored = get_object_or_404(StoredRulebook, pk=pk)
    rulebook = stored.parsed()
    language = (get_language() or "pl")[:2]
    areas = [
        {
            "area": area,
            "title": localized(area.title, language) or area.id,
            "criteria": [
                {
                    "criterion": criterion,
                    "title": localized(criterion.title, language) or criterion.id,
                    "guidance": localized(criterion.guidance, language),
                    "stage": words.stage_title(rulebook, criterion.stage),
                    "field": words.field_title(rulebook, criterion.field),
                    "per": words.field_title(rulebook, criterion.per),
                    "brackets": [
                        (words.number(bracket.min), words.number(bracket.points))
                        for bracket in criterion.brackets or []
                    ],
                }
                for criterion in area.criteria
            ],
        }
        for area in rulebook.areas
    ]
    stages = [
        {
            "stage": stage,
            "title": localized(stage.title, language) or stage.id,
            "maximum": rulebook.stage_maximum(stage.id),
            "kind": STAGE_KINDS.get(stage.kind, stage.kind),
            "gate": (
                f"{words.operator(stage.gate.op)} {words.number(stage.gate.value)}"
                if stage.gate
                else ""
            ),
            "aggregation": words.aggregation(stage.aggregation),
        }
        for stage in rulebook.stages
    ]
    return render(
        request,
        "competitions/rulebook_detail.html",
        {
            "stored": stored,
            "rulebook": rulebook,
            "title": localized(rulebook.title, language),
            "areas": areas,
            "stages": stages,
            "eligibility": [
                {
                    "rule": rule,
                    "message": localized(rule.message, language),
                    "condition": words.condition(rulebook, rule.field, rule.op, rule.value),
                }
                for rule in rulebook.eligibility
            ],
            "pass_rule": (
                f"{words.operator(rulebook.decision.pass_.op)} "
                f"{words.number(rulebook.decision.pass_.value)}"
            ),
            "ranking": [words.stage_title(rulebook, key) for key in rulebook.decision.ranking],
        },
    )


@login_required
def call_create(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(by=request.user, **form.cleaned_data)
        except services.CompetitionError as exc:
            for field, field_errors in exc.message_dict.items():
                for error in field_errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The call has been created as a draft."))
            return redirect("competitions:call-dashboard", pk=call.pk)
    return render(request, "competitions/call_form.html", {"form": form})
