from django.contrib import admin

from nominals.models import DiversionReferral, Group, Membership, Nominal, PriorityStatus


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["nominal"]
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["ref", "name", "group_type", "is_synthetic"]
    list_filter = ["group_type"]
    search_fields = ["ref", "name"]
    inlines = [MembershipInline]


@admin.register(Nominal)
class NominalAdmin(admin.ModelAdmin):
    list_display = ["ref", "name", "home_sector", "is_restricted", "is_synthetic"]
    list_filter = ["is_restricted"]
    search_fields = ["ref", "name"]
    raw_id_fields = ["home_area", "home_sector", "home_command"]


admin.site.register(PriorityStatus)
admin.site.register(DiversionReferral)
