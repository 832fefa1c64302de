from django.contrib import admin

from ingestion.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "organisation", "force", "status", "rows_total", "rows_applied", "error_count",
                    "created_at"]
    list_filter = ["status", "kind", "organisation"]
    readonly_fields = [f.name for f in Upload._meta.fields]

    def has_add_permission(self, request):
        return False
