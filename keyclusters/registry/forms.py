"""Forms of the registry pages (Bootstrap classes set here, labels on every control)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyclusters.domain import identifiers
from keyclusters.domain.documents import DocumentRefused, check_document
from keyclusters.domain.registry import CLUSTER_SIZE_CLASSES

from . import uploads
from .models import (
    VOIVODESHIP_CHOICES,
    EnterpriseSize,
    EvidenceKind,
    MembershipRole,
    OrganisationKind,
)

IMPORT_EXTENSIONS = (".csv", ".xlsx")


class BootstrapMixin:
    """Give widgets Bootstrap classes and mark the fields with errors as invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _size_class_label(code: str, low: int, high: int | None) -> str:
    names = {"small": gettext("Small"), "medium": gettext("Medium"), "large": gettext("Large")}
    name = names.get(code, code)
    if high is None:
        return gettext("%(name)s (%(low)s or more members)") % {"name": name, "low": low}
    return gettext("%(name)s (%(low)s–%(high)s members)") % {"name": name, "low": low, "high": high}


class ClusterFilterForm(BootstrapMixin, forms.Form):
    SORTS = [
        ("name", _("Name (A–Z)")),
        ("-name", _("Name (Z–A)")),
        ("-members", _("Most members first")),
        ("members", _("Fewest members first")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Cluster, specialisation or coordinator")}
        ),
    )
    voivodeship = forms.ChoiceField(label=_("Voivodeship"), required=False)
    specialisation = forms.ChoiceField(label=_("Specialisation"), required=False)
    size = forms.ChoiceField(label=_("Size"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args: Any, specialisations: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voivodeship"].choices = [("", _("All voivodeships")), *VOIVODESHIP_CHOICES]
        self.fields["specialisation"].choices = [
            ("", _("All specialisations")),
            *((value, value) for value in specialisations),
        ]
        self.fields["size"].choices = [
            ("", _("All sizes")),
            *(
                (code, _size_class_label(code, low, high))
                for code, (low, high) in CLUSTER_SIZE_CLASSES.items()
            ),
        ]

    def filters(self) -> dict[str, str]:
        """The valid filter values (an invalid value is ignored, not an error page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "voivodeship": data.get("voivodeship") or "",
            "specialisation": data.get("specialisation") or "",
            "size": data.get("size") or "",
            "sort": data.get("sort") or "name",
        }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MembershipAddForm(BootstrapMixin, forms.Form):
    """A member chosen by NIP; the organisation fields are used only for a new organisation."""

    nip = forms.CharField(
        label=_("NIP"),
        max_length=20,
        help_text=_(
            "If an organisation with this NIP is registered, it is used and the organisation "
            "fields below are ignored."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    regon = forms.CharField(label=_("REGON"), max_length=20, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *OrganisationKind.choices]
    )
    size = forms.ChoiceField(
        label=_("Enterprise size"),
        required=False,
        choices=[("", _("Not applicable")), *EnterpriseSize.choices],
    )
    voivodeship = forms.ChoiceField(
        label=_("Voivodeship"), required=False, choices=[("", "—"), *VOIVODESHIP_CHOICES]
    )
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (MembershipRole.MEMBER.value, MembershipRole.MEMBER.label),
            (MembershipRole.STRATEGIC_PARTNER.value, MembershipRole.STRATEGIC_PARTNER.label),
        ],
        initial=MembershipRole.MEMBER,
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=DateInput())
    advanced_cooperation_group = forms.BooleanField(
        label=_("Member of the advanced cooperation group"), required=False
    )
    evidence = forms.FileField(
        label=_("Evidence of the start (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_(
            "Needed when the membership began more than %(days)s days ago: the accession "
            "declaration, the resolution or the annex to the cluster agreement. Until an "
            "operator accepts it, verification counts the membership from today."
        ),
    )
    evidence_kind = forms.ChoiceField(
        label=_("Kind of document"), required=False, choices=[("", "—"), *EvidenceKind.choices]
    )

    def __init__(self, *args: Any, backdating_days: int = 30, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        field.help_text = field.help_text % {"days": backdating_days}

    def clean_evidence(self) -> tuple[str, bytes] | None:
        return clean_evidence_upload(self.cleaned_data.get("evidence"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("evidence") and not data.get("evidence_kind"):
            self.add_error("evidence_kind", gettext("Choose the kind of the document."))
        return data

    ORGANISATION_FIELDS = ("nip", "name", "regon", "kind", "size", "voivodeship", "city")

    def clean_nip(self) -> str:
        value = self.cleaned_data["nip"]
        try:
            return identifiers.normalise_nip(value)
        except identifiers.IdentifierError as exc:
            raise forms.ValidationError(
                gettext("%(value)s is not a valid NIP (%(reason)s)")
                % {"value": value, "reason": gettext(exc.reason)}
            ) from exc

    def organisation_data(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.ORGANISATION_FIELDS}


def clean_evidence_upload(upload: Any) -> tuple[str, bytes] | None:
    """An evidence upload as ``(name, bytes)`` once it is checked to be a PDF within the
    documents' size limit; None when there is none."""
    if not upload:
        return None
    uploads.clean_upload(upload, "documents")
    content = upload.read()
    try:
        check_document(content, accepted=("pdf",), max_bytes=uploads.limit("documents"))
    except DocumentRefused as refused:
        raise forms.ValidationError(gettext(refused.message_id) % refused.params) from None
    return upload.name, content


class EvidenceForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=EvidenceKind.choices)
    document = forms.FileField(
        label=_("Document (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_document(self) -> tuple[str, bytes] | None:
        return clean_evidence_upload(self.cleaned_data.get("document"))


class EvidenceDecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Reason (needed to reject)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ChangeRequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("apply", _("Apply")), ("dismiss", _("Dismiss"))], widget=forms.HiddenInput
    )


class MembershipEndForm(BootstrapMixin, forms.Form):
    left_on = forms.DateField(
        label=_("Left on"),
        widget=DateInput(),
        help_text=_("The last day of the membership."),
    )


class MemberImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Member list (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_EXTENSIONS)}),
        help_text=_(
            "The columns of the template (name, NIP, kind, size, voivodeship, city, country, "
            "joined on, left on, role; REGON and KRS optional), titled in Polish or English or "
            "by their codes (name, nip, regon, krs, kind, size, voivodeship, city, country, "
            "joined_on, left_on, role); values as words (Enterprise, Small, Member) or codes; "
            "dates 2026-05-04 or 04.05.2026. A file with any invalid row writes nothing."
        ),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if PurePath(uploaded.name).suffix.lower() not in IMPORT_EXTENSIONS:
            raise forms.ValidationError(gettext("Upload a CSV or XLSX file."))
        return uploads.clean_upload(uploaded, "members")
