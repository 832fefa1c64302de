from django.contrib import admin

from tasking.models import Action, Activity, TaskingPack


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["ref", "kind", "title", "started_on", "ended_on", "organisation"]
    list_filter = ["kind", "organisation"]
    search_fields = ["ref", "title"]
    raw_id_fields = ["areas", "groups", "nominals", "upload", "created_by"]


@admin.register(TaskingPack)
class TaskingPackAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting_on", "prepared_at", "prepared_by"]
    readonly_fields = ["snapshot"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["description", "pack", "owner", "due_on", "status"]
    list_filter = ["status"]
