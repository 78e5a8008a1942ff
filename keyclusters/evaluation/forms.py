"""Forms of the operator's pages on experts and suspended assignments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyclusters.accounts.models import User
from keyclusters.domain import identifiers
from keyclusters.registry.models import Organisation

from .experts import EXPERT_ROLES

_TEXT = {"class": "form-control"}
_DATE = {"type": "date", "class": "form-control"}


def split_specialisations(text: str) -> list[str]:
    return [part for line in text.splitlines() for part in line.split(",")]


class SpecialisationsField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("Specialisations"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
            help_text=_("Separated by commas, e.g. ICT, health, energy."),
            **kwargs,
        )

    def to_python(self, value):
        return split_specialisations(super().to_python(value) or "")


class NewExpertForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Users with the expert or the panel member role and no profile yet."),
    )
    specialisations = SpecialisationsField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                groups__name__in=[role.value for role in EXPERT_ROLES],
                is_active=True,
                expert_profile__isnull=True,
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username


class ExpertProfileForm(forms.Form):
    specialisations = SpecialisationsField()
    active = forms.BooleanField(
        label=_("Available for new assignments"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class AffiliationForm(forms.Form):
    nip = forms.CharField(
        label=_("Organisation's NIP"),
        max_length=20,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The organisation must be in the registry."),
    )
    position = forms.CharField(
        label=_("Tie"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("For example: employee, board member, contractor."),
    )
    started_on = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs=_DATE)
    )
    ended_on = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs=_DATE),
        help_text=_("Empty while the tie lasts."),
    )

    def clean_nip(self) -> Organisation:
        value = self.cleaned_data["nip"]
        try:
            nip = identifiers.normalise_nip(value)
        except identifiers.IdentifierError as exc:
            raise forms.ValidationError(
                gettext("%(value)s is not a valid NIP (%(reason)s)")
                % {"value": exc.value, "reason": gettext(exc.reason)}
            ) from exc
        organisation = Organisation.objects.filter(nip=nip).first()
        if organisation is None:
            raise forms.ValidationError(gettext("No organisation in the registry has this NIP."))
        return organisation

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_on"), cleaned.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", gettext("An affiliation cannot end before it starts."))
        return cleaned


class AffiliationEndForm(forms.Form):
    ended_on = forms.DateField(label=_("To"), widget=forms.DateInput(attrs=_DATE))


class ConfirmedForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand the consequence"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Confirm that you understand the consequence.")},
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the suspension"),
        max_length=500,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
    )


class LiftForm(forms.Form):
    note = forms.CharField(
        label=_("Why the expert may go on"),
        max_length=500,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
    )


class ReassignForm(ConfirmedForm):
    reason = forms.CharField(
        label=_("Reason for the reassignment"),
        max_length=300,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
    )
    field_order = ["reason", "confirm"]


class CommissionMemberForm(forms.Form):
    """A member of the call's evaluation commission: any active user account."""

    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Any user account; the chair signs the list from the recommendation page."),
    )
    kind = forms.ChoiceField(
        label=_("Represents"),
        choices=(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    body = forms.CharField(
        label=_("Ministry or agency"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("Left out for an independent expert."),
    )
    chair = forms.BooleanField(
        label=_("Chair of the commission"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, call=None, **kwargs) -> None:
        from .models import CommissionMember

        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True)
        if call is not None:
            users = users.exclude(commission_seats__call=call)
        self.fields["user"].queryset = users.order_by("last_name", "first_name", "username")
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["kind"].choices = CommissionMember.Kind.choices
