"""Forms of the statuses pages."""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keyclusters.registry import uploads
from keyclusters.registry.forms import BootstrapMixin
from keyclusters.registry.models import VOIVODESHIP_CHOICES

from . import selectors

UPLOAD_EXTENSIONS = (".csv", ".txt", ".xlsx")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegistryFilterForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    voivodeship = forms.ChoiceField(label=_("Voivodeship"), required=False)
    specialisation = forms.ChoiceField(label=_("Specialisation"), required=False)

    def __init__(self, *args, specialisations: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voivodeship"].choices = [("", _("All")), *VOIVODESHIP_CHOICES]
        self.fields["specialisation"].choices = [("", _("All"))] + [(s, s) for s in specialisations]

    def values(self) -> dict:
        """The date (today when not given or invalid) and the filters."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "on": data.get("on") or selectors.today(),
            "voivodeship": data.get("voivodeship") or "",
            "specialisation": data.get("specialisation") or "",
        }


class InstrumentMixin(forms.Form):
    """An optional funding instrument of the current catalogue (the answer then tells whether
    its terms are met, and why)."""

    instrument = forms.ChoiceField(
        label=_("Funding instrument"),
        required=False,
        help_text=_(
            "Tests the instrument's terms from the catalogue; give the date the instrument "
            "refers to (the submission or the evaluation)."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        from . import instruments

        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", _("No instrument (membership only)"))] + [
            *instruments.choices()
        ]

    def clean_instrument(self):
        """The instrument chosen, as the current catalogue writes it (None when none is)."""
        from . import instruments

        value = self.cleaned_data.get("instrument")
        if not value:
            return None
        try:
            return instruments.choose(value)
        except instruments.UnknownInstrument as exc:
            raise forms.ValidationError(exc.message) from exc


class VerifyOneForm(BootstrapMixin, InstrumentMixin, forms.Form):
    nip = forms.CharField(label=_("NIP"), max_length=20)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    min_months = forms.IntegerField(
        label=_("Minimum months of membership"), required=False, min_value=0, max_value=1200
    )
    field_order = ["nip", "on", "min_months", "instrument"]

    def clean_nip(self) -> str:
        try:
            return selectors.normalise_nip(self.cleaned_data["nip"].strip())
        except selectors.InvalidNip as exc:
            raise forms.ValidationError(exc.message) from exc


class VerifyFileForm(BootstrapMixin, InstrumentMixin, forms.Form):
    # csv, xlsx: the documented columns (docs/verification.md), the same in every language;
    # spreadsheet-*: for a person's spreadsheet, in the page's language.
    FORMATS = [
        ("csv", _("CSV (the documented columns, for programs)")),
        ("xlsx", _("XLSX (the documented columns, for programs)")),
        ("spreadsheet-xlsx", _("Spreadsheet (XLSX) in this language")),
        ("spreadsheet-csv", _("Spreadsheet (CSV) in this language")),
    ]

    file = forms.FileField(
        label=_("File with NIPs"), help_text=_("CSV, TXT or XLSX with one column nip.")
    )
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    min_months = forms.IntegerField(
        label=_("Minimum months of membership"), required=False, min_value=0, max_value=1200
    )
    format = forms.ChoiceField(
        label=_("Result format"),
        choices=FORMATS,
        initial="csv",
        help_text=_(
            "For programs: the columns documented for scripts, yes/no and ISO dates, the same in "
            "every language. For a spreadsheet: the columns titled and the answers written in "
            "this language, dates as it writes them (a Polish CSV is separated by semicolons)."
        ),
    )

    field_order = ["file", "on", "min_months", "instrument", "format"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if PurePath(uploaded.name).suffix.lower() not in UPLOAD_EXTENSIONS:
            raise forms.ValidationError(gettext("Upload a CSV, TXT or XLSX file."))
        return uploads.clean_upload(uploaded, "verification")


class ApiKeyForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name of the key"), max_length=200)
    organisation = forms.CharField(label=_("Funding agency"), max_length=300)


class WithdrawForm(BootstrapMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MembershipCertificateForm(BootstrapMixin, forms.Form):
    nip = forms.CharField(label=_("NIP"), max_length=20)
    on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    instrument = forms.ChoiceField(label=_("For the funding instrument"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        from . import instruments

        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", _("No instrument (membership only)"))] + [
            *instruments.choices()
        ]


_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


class CertificateCheckForm(BootstrapMixin, forms.Form):
    """The code of a certificate, typed, or the address its QR code leads to."""

    code = forms.CharField(
        label=_("Certificate code or address"),
        max_length=500,
        help_text=_(
            "For example Xy3_AbC-9kLmNoPqRsTuVwZ1, or the address printed under the QR code."
        ),
    )

    def clean_code(self) -> str:
        value = self.cleaned_data["code"].strip()
        path = urlsplit(value).path if "/" in value else value
        parts = [part for part in path.split("/") if part]
        if "certificates" in parts and parts.index("certificates") + 1 < len(parts):
            value = parts[parts.index("certificates") + 1]  # …/certificates/<code>/[pdf/]
        if not _CODE.fullmatch(value):
            raise forms.ValidationError(
                gettext(
                    "This is not a certificate code: a code is 24 letters, digits, dashes and "
                    "underscores, printed under the QR code of the certificate."
                )
            )
        return value
