"""The Council's forms; the rules are checked again by :mod:`.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keyclusters.accounts.models import User
from keyclusters.registry import uploads
from keyclusters.registry.models import Cluster

from .models import CouncilMember, Represents

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


def _date(**attrs) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **_TEXT, **attrs}, format="%Y-%m-%d")


def _person(user: User) -> str:
    return user.get_full_name() or user.username


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name", "pk"),
        widget=forms.Select(attrs=_SELECT),
    )
    represents = forms.ChoiceField(
        label=_("Represents"), choices=Represents.choices, widget=forms.Select(attrs=_SELECT)
    )
    cluster = forms.ModelChoiceField(
        label=_("Key cluster"),
        queryset=Cluster.objects.order_by("name", "pk"),
        required=False,
        widget=forms.Select(attrs=_SELECT),
        help_text=_("For a coordinator's representative."),
    )
    institution = forms.CharField(
        label=_("Institution"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text=_("For a ministry's or the agency's representative."),
    )
    member_from = forms.DateField(label=_("Member from"), widget=_date())
    member_to = forms.DateField(label=_("Member until"), required=False, widget=_date())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = _person
        self.fields["cluster"].label_from_instance = lambda cluster: cluster.name


class EndMembershipForm(forms.Form):
    member = forms.ModelChoiceField(queryset=CouncilMember.objects.all(), widget=forms.HiddenInput)
    member_to = forms.DateField(label=_("Last day"), widget=_date())


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Day"), widget=_date())
    place = forms.CharField(label=_("Place"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={**_TEXT, "rows": 5}),
        help_text=_("One item a line."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, widget=forms.TextInput(attrs=_TEXT))
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".pdf,.docx,.xlsx"}),
        help_text=_("PDF, DOCX or XLSX."),
    )

    def clean_file(self):
        return uploads.clean_upload(self.cleaned_data["file"], "documents")


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attended"),
        queryset=CouncilMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = members
        field.label_from_instance = lambda member: _person(member.user)


class PositionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, widget=forms.TextInput(attrs=_TEXT))
    text = forms.CharField(
        label=_("Text as adopted"), widget=forms.Textarea(attrs={**_TEXT, "rows": 5})
    )


class MinutesForm(forms.Form):
    document = forms.ModelChoiceField(
        label=_("The minutes are the document"),
        queryset=None,
        widget=forms.Select(attrs=_SELECT),
        help_text=_("Upload the minutes as a document of the meeting first."),
    )

    def __init__(self, *args, meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        field.queryset = meeting.documents.order_by("uploaded_at", "pk")
        field.label_from_instance = lambda document: document.title
