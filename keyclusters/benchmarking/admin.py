from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AreaSummary, ClusterReport, Edition, EditionResult, Framework


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("rulebook_id", "version", "sha256", "stored_at")
    readonly_fields = ("rulebook_id", "version", "title", "source", "sha256", "stored_at")


class AreaSummaryInline(admin.TabularInline):
    model = AreaSummary
    extra = 0
    can_delete = False
    readonly_fields = ("area", "median", "benchmark", "lower_quartile", "upper_quartile")
    fields = readonly_fields


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "framework", "state", "computed_at", "published_at")
    list_filter = ("state", "framework")
    readonly_fields = (
        "state",
        "results",
        "computed_at",
        "published_at",
        "reports_total",
        "reports_generated",
        "reports_started_at",
        "reports_finished_at",
    )
    filter_horizontal = ("clusters",)
    inlines = [AreaSummaryInline]


@admin.register(EditionResult)
class EditionResultAdmin(admin.ModelAdmin):
    list_display = ("edition", "cluster", "overall", "rank", "previous_year")
    list_filter = ("edition",)
    list_select_related = ("edition", "cluster")
    search_fields = ("cluster__name",)


@admin.register(ClusterReport)
class ClusterReportAdmin(admin.ModelAdmin):
    list_display = ("edition", "cluster", "generated_at", "texts_updated_at")
    list_filter = ("edition",)
    list_select_related = ("edition", "cluster")
    search_fields = ("cluster__name",)
    readonly_fields = ("pdf_link", "generated_at")
    exclude = ("pdf",)

    @admin.display(description=_("PDF"))
    def pdf_link(self, report: ClusterReport) -> str:
        """The download view (nothing serves media URLs)."""
        if not report.pdf:
            return "—"
        url = reverse(
            "benchmarking:cluster-report-pdf", args=[report.edition_id, report.cluster_id]
        )
        return format_html('<a href="{}">{}</a>', url, report.pdf.name.rsplit("/", 1)[-1])
