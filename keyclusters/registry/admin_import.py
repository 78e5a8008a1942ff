"""Import from the admin: upload a file, see a preview (or every error), confirm, import.

Add :class:`ImportAdminMixin` before the admin base class and name the kind::

    class OrganisationAdmin(ImportAdminMixin, SimpleHistoryAdmin):
        import_kind = "organisations"

    class ClusterAdmin(ImportAdminMixin, SimpleHistoryAdmin):
        import_kind = "clusters"   # also adds "Import members" to each cluster's page

Between the preview and the confirmation the uploaded file waits in the default storage under
``imports/``; the confirmation form carries a signed token bound to the user who uploaded it.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import importing, uploads
from .models import Cluster

TOKEN_MAX_AGE = 3600  # seconds between preview and confirmation
_SALT = "keyclusters.registry.admin_import"


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8 or Windows-1250) or XLSX")
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind  # of uploads: its size limit

    def clean_file(self):
        return uploads.clean_upload(self.cleaned_data["file"], self.kind)


class ImportAdminMixin:
    """get_urls, views and templates of an admin import with preview."""

    import_kind = ""  # "organisations" or "clusters"
    change_list_template = "admin/registry/import_change_list.html"
    import_template = "admin/registry/import.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        urls = [path("import/", view(self.import_view), name="{}_{}_import".format(*info))]
        if self.import_kind == "clusters":
            urls.append(
                path(
                    "<path:object_id>/import-members/",
                    view(self.import_members_view),
                    name="{}_{}_import_members".format(*info),
                )
            )
        return urls + super().get_urls()

    @property
    def change_form_template(self) -> str | None:
        if self.import_kind == "clusters":
            return "admin/registry/cluster_import_change_form.html"
        return None

    # --- views ---------------------------------------------------------------------------

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        done_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name,
        )
        service = {
            "organisations": (importing.preview_organisations, importing.import_organisations),
            "clusters": (importing.preview_clusters, importing.import_clusters),
        }[self.import_kind]
        title = {
            "organisations": _("Import organisations"),
            "clusters": _("Import clusters"),
        }[self.import_kind]
        return self._import(request, title, *service, {}, done_url, self.import_kind)

    def import_members_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        cluster = get_object_or_404(Cluster, pk=object_id)
        if not self.has_change_permission(request, cluster):
            raise PermissionDenied
        done_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[cluster.pk],
            current_app=self.admin_site.name,
        )
        title = _("Import members of %(cluster)s") % {"cluster": cluster}
        return self._import(
            request, title, importing.preview_members, importing.import_members,
            {"cluster": cluster}, done_url, "members",
        )  # fmt: skip

    def _import(
        self, request, title, preview, run, extra: dict, done_url: str, kind: str
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "done_url": done_url,
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, run, extra, done_url)
        form = ImportFileForm(request.POST or None, request.FILES or None, kind=kind)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            source = upload.read()
            filename = PurePath(upload.name).name
            result = preview(source=source, filename=filename, **extra)
            context.update(preview=result, filename=filename)
            if result.ok:
                context["token"] = self._keep(request, source, filename)
        context["form"] = form
        return TemplateResponse(request, self.import_template, context)

    def _keep(self, request, source: bytes, filename: str) -> str:
        stored = default_storage.save(f"imports/{uuid.uuid4().hex}", ContentFile(source))
        return signing.dumps(
            {"path": stored, "name": filename, "user": request.user.pk}, salt=_SALT
        )

    def _confirm(self, request, run, extra: dict, done_url: str) -> HttpResponse:
        try:
            kept = signing.loads(request.POST["token"], salt=_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the file again."))
            return HttpResponseRedirect(request.path)
        if kept["user"] != request.user.pk or not kept["path"].startswith("imports/"):
            raise PermissionDenied
        try:
            with default_storage.open(kept["path"], "rb") as stored:
                source = stored.read()
        except FileNotFoundError:
            messages.error(request, _("The preview has expired; upload the file again."))
            return HttpResponseRedirect(request.path)
        try:
            report = run(source=source, filename=kept["name"], by=request.user, **extra)
        except importing.ImportRejected as rejected:
            for line in rejected.messages()[:50]:
                messages.error(request, line)
            return HttpResponseRedirect(request.path)
        finally:
            default_storage.delete(kept["path"])
        messages.success(
            request,
            _("%(file)s imported: %(rows)s rows, %(created)s created, %(updated)s updated, "
              "%(unchanged)s unchanged.")
            % {"file": kept["name"], "rows": report.rows, "created": report.created,
               "updated": report.updated, "unchanged": report.unchanged},
        )  # fmt: skip
        return HttpResponseRedirect(done_url)
