from django.contrib import admin

from .models import ProgressReport, Reminder


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through their pages and the workflow."""

    list_display = ["project", "kind", "fiscal_year", "quarter", "status", "due_date"]
    list_filter = ["status", "kind", "fiscal_year"]
    search_fields = ["project__title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "fiscal_year", "quarter", "stage", "sent_at"]
    list_filter = ["stage", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
