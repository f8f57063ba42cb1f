"""Admin for the hierarchy: export through django-import-export, import through a dry-run page
of our own that names every bad row and column in the user's language and writes nothing
until the admin confirms a clean file."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from agencies.access import can_manage_strategy
from core import audit

from . import importing
from .forms import ConfirmImportForm, ImportFileForm
from .models import Edition, Indicator, IndicatorTarget, Node
from .resources import NodeResource
from .tasks import rebuild_search_index

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["code", "title_th", "family", "fiscal_year_from", "fiscal_year_to"]
    list_filter = ["family"]
    search_fields = ["code", "title_th", "title_en"]
    actions = ["rebuild_search_index"]

    @admin.action(description=_("Rebuild the search index (in the background)"))
    def rebuild_search_index(self, request: HttpRequest, queryset) -> None:
        for edition in queryset:
            rebuild_search_index.delay(edition.code)
        audit.record(request.user, queryset, _("Asked to rebuild the search index."))
        messages.info(request, _("The search index is being rebuilt in the background."))


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Node)
class NodeAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [NodeResource]
    # The formats the import reads (a spreadsheet's, where formula escaping means something).
    export_formats = [base_formats.CSV, base_formats.XLSX]
    list_display = ["code", "short_title", "kind", "edition", "parent"]
    list_filter = ["edition", "kind"]
    search_fields = ["code", "title_th", "title_en"]
    list_select_related = ["edition", "parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["search_text"]
    inlines = [IndicatorInline]
    change_list_template = "admin/strategy/node/change_list.html"

    @admin.display(description=_("title"))
    def short_title(self, obj: Node) -> str:
        label = obj.label
        return label if len(label) <= 90 else label[:88] + "…"

    # --- permissions: only administrators change the hierarchy ------------------------------
    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_strategy(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_strategy(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_strategy(request.user) and super().has_delete_permission(request, obj)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return can_manage_strategy(request.user)

    def get_export_data(self, file_format, request: HttpRequest, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        audit.record(
            request.user,
            Edition.objects.filter(pk__in=queryset.values("edition_id")),
            _("Exported %(rows)d rows of the hierarchy as “%(file)s”."),
            {"rows": queryset.count(),
             "file": self.get_export_filename(request, queryset, file_format)},
            model=Node,
        )  # fmt: skip
        return data

    # --- import pages ----------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="strategy_node_import"),
            path(
                "import/template.xlsx",
                wrap(self.template_view),
                name="strategy_node_import_template",
            ),
            path(
                "import/<uuid:token>/rejected.xlsx",
                wrap(self.rejected_view),
                name="strategy_node_import_rejected",
            ),
            *super().get_urls(),
        ]

    def _require_admin(self, request: HttpRequest) -> None:
        if not can_manage_strategy(request.user):
            raise PermissionDenied

    def import_view(self, request: HttpRequest) -> HttpResponse:
        self._require_admin(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import the strategy hierarchy"),
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, context)
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.STRATEGY_IMPORT_MAX_BYTES:
                form.add_error(
                    "file",
                    _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
                    % {
                        "size": upload.size / 1e6,
                        "limit": settings.STRATEGY_IMPORT_MAX_BYTES / 1e6,
                    },
                )
            else:
                content = upload.read()
                report = _dry_run(content, upload.name, form)
                if report is not None:
                    token = _store(request, content, upload.name)
                    context.update(
                        report=report,
                        token=token,
                        confirm_form=ConfirmImportForm(initial={"token": token}),
                    )
        context["form"] = form
        return render(request, "admin/strategy/node/import.html", context)

    def _confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        form = ConfirmImportForm(request.POST)
        stored = _load(request, form.cleaned_data["token"]) if form.is_valid() else None
        if stored is None:
            messages.error(request, _("The uploaded file has expired. Please upload it again."))
            return redirect("admin:strategy_node_import")
        content, name = stored
        try:
            report = importing.import_dataset(importing.read_table(content, name), commit=True)
        except importing.ImportFileError as exc:
            messages.error(request, str(exc))
            return redirect("admin:strategy_node_import")
        if not report.committed:
            context.update(form=ImportFileForm(), report=report, token=form.cleaned_data["token"])
            messages.error(request, _("Nothing was imported: some rows have errors."))
            return render(request, "admin/strategy/node/import.html", context)
        _discard(request, form.cleaned_data["token"])
        c = report.counts
        audit.record(
            request.user,
            Edition.objects.filter(code__in={row.values["edition"] for row in report.rows}),
            _("Imported the file “%(file)s”: %(new)d new, %(changed)d changed, %(unchanged)d "
              "unchanged rows."),
            {"file": name, **c},
            model=Node,
        )  # fmt: skip
        messages.success(
            request,
            _("Imported: %(new)d new, %(changed)d changed, %(unchanged)d unchanged rows.") % c,
        )
        return redirect(reverse("admin:strategy_node_changelist"))

    def template_view(self, request: HttpRequest) -> HttpResponse:
        self._require_admin(request)
        response = HttpResponse(importing.template_workbook(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="strategy-import-template.xlsx"'
        return response

    def rejected_view(self, request: HttpRequest, token: uuid.UUID) -> HttpResponse:
        self._require_admin(request)
        stored = _load(request, token)
        if stored is None:
            raise Http404
        content, name = stored
        try:
            report = importing.import_dataset(importing.read_table(content, name), commit=False)
        except importing.ImportFileError as exc:
            raise Http404 from exc
        return FileResponse(
            iter([importing.rejected_rows_workbook(report)]),
            as_attachment=True,
            filename="strategy-import-rejected.xlsx",
            content_type=XLSX,
        )


def _dry_run(content: bytes, name: str, form: ImportFileForm):
    try:
        return importing.import_dataset(importing.read_table(content, name), commit=False)
    except importing.ImportFileError as exc:
        form.add_error("file", str(exc))
        return None


# Uploaded files wait in MEDIA_ROOT/import-tmp between the dry run and the confirmation; the
# session remembers which tokens belong to this user so nobody confirms another's upload.
def _tmp_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "import-tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _store(request: HttpRequest, content: bytes, name: str) -> str:
    token = str(uuid.uuid4())
    (_tmp_dir() / token).write_bytes(content)
    uploads = request.session.get("strategy_imports", {})
    uploads[token] = Path(name).name[:200]
    request.session["strategy_imports"] = uploads
    return token


def _load(request: HttpRequest, token: uuid.UUID) -> tuple[bytes, str] | None:
    name = request.session.get("strategy_imports", {}).get(str(token))
    path_ = _tmp_dir() / str(token)
    if name is None or not path_.exists():
        return None
    return path_.read_bytes(), name


def _discard(request: HttpRequest, token: uuid.UUID) -> None:
    uploads = request.session.get("strategy_imports", {})
    uploads.pop(str(token), None)
    request.session["strategy_imports"] = uploads
    (_tmp_dir() / str(token)).unlink(missing_ok=True)


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year_from", "year_to", "value"]
    search_fields = ["indicator__name_th"]
