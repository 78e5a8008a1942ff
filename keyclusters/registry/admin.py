from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from keyclusters.domain.documents import DocumentRefused, check_document
from keyclusters.private_files import PrivateFileInput

from . import uploads
from .admin_import import ImportAdminMixin
from .models import (
    Cluster,
    CooperationDeclaration,
    Membership,
    Organisation,
    SmartSpecialisation,
)


@admin.register(Organisation)
class OrganisationAdmin(ImportAdminMixin, SimpleHistoryAdmin):
    import_kind = "organisations"
    list_display = ("name", "nip", "regon", "kind", "size", "voivodeship", "city", "country")
    list_filter = ("kind", "size", "voivodeship", "country")
    search_fields = ("name", "nip", "regon", "krs")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)
    show_change_link = True


@admin.register(Cluster)
class ClusterAdmin(ImportAdminMixin, SimpleHistoryAdmin):
    import_kind = "clusters"
    list_display = ("name", "coordinator", "specialisation", "voivodeship", "founded_on")
    list_filter = ("voivodeship",)
    list_select_related = ("coordinator",)
    search_fields = ("name", "specialisation", "coordinator__name")
    autocomplete_fields = ("coordinator",)
    filter_horizontal = ("voivodeships", "smart_specialisations")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "cluster", "role", "joined_on", "left_on")
    list_filter = ("role", "advanced_cooperation_group", "cluster")
    list_select_related = ("organisation", "cluster")
    search_fields = ("organisation__name", "organisation__nip", "cluster__name")
    autocomplete_fields = ("organisation", "cluster")


class CooperationDeclarationForm(forms.ModelForm):
    """The scan of a declaration is a PDF, checked by its content; the "currently" link goes to
    the download view (nothing serves media URLs)."""

    class Meta:
        model = CooperationDeclaration
        fields = ("cluster", "signatories", "signed_on", "place", "subject", "document")
        widgets = {"document": PrivateFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.document:
            self.fields["document"].widget.download_url = reverse(
                "registry:declaration-document", args=[self.instance.cluster_id, self.instance.pk]
            )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload
            document.seek(0)
            content = document.read()
            document.seek(0)
            try:
                check_document(content, accepted=("pdf",), max_bytes=uploads.limit("documents"))
            except DocumentRefused as refused:
                raise forms.ValidationError(gettext(refused.message_id) % refused.params) from None
        return document


@admin.register(CooperationDeclaration)
class CooperationDeclarationAdmin(SimpleHistoryAdmin):
    form = CooperationDeclarationForm
    list_display = ("cluster", "signed_on", "place")
    autocomplete_fields = ("cluster", "signatories")


@admin.register(SmartSpecialisation)
class SmartSpecialisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")
