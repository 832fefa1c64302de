import copy

# The stock User admin must be registered before it is replaced below (portal/urls.py imports
# django.contrib.auth.admin first as well; importing it here keeps the order whatever imports us).
import django.contrib.auth.admin  # noqa: F401
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.contrib.auth.models import User
from django.db import router, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from core.models import AuditEvent, Organisation
from core.user_audit import user_changes_as_one_event


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "group"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only (and the database refuses changes)."""

    list_display = ["at", "username", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _PasswordSummaryWidget(ReadOnlyPasswordHashWidget):
    """The password hash summary, with a link only where the viewer may follow it."""

    template_name = "core/widgets/password_summary.html"

    def __init__(self, password_url=None, button_label=None, attrs=None):
        super().__init__(attrs)
        self.password_url, self.button_label = password_url, button_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["password_url"] = self.password_url
        if self.button_label:
            context["button_label"] = self.button_label
        return context


class PortalUserAdmin(UserAdmin):
    """Django's UserAdmin, narrowed for staff who are not superusers (the administrator role).

    A non-superuser cannot make anyone (themselves included) a superuser or staff, nor grant
    permissions one by one: those fields are read-only, so they are not in the form and a crafted
    POST cannot set them. They cannot see or edit superusers (404), nor set another user's
    password (404); for their own they are sent to the admin's password change, which asks for
    the current one. The two timestamps (last login, date joined) are read-only to them too.
    Superusers keep the stock behaviour. Each save of the change or add form is
    one audit event (core.user_audit).
    """

    superuser_only_fields = ("is_superuser", "is_staff", "user_permissions", "last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in self.superuser_only_fields if name not in fields]
        return fields

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not request.user.is_superuser:
            raise Http404("No such user.")  # superusers are outside a non-superuser's queryset
        return obj

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and not request.user.is_superuser and "password" in form.base_fields:
            field = copy.deepcopy(form.base_fields["password"])  # base_fields is this class's own dict
            if obj.pk == request.user.pk:
                field.widget = _PasswordSummaryWidget(reverse(f"{self.admin_site.name}:password_change"),
                                                      "Change your password")
            else:
                field.widget = _PasswordSummaryWidget()
                field.help_text = "Only a superuser can set another user's password."
            form.base_fields["password"] = field
        return form

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.is_superuser = obj.is_staff = False  # not in the add form either; kept false regardless
        if change:
            # The form shows timestamps to the second: an untouched one keeps its stored value
            # rather than losing its microseconds (which would also be audited as a change).
            for name in ("last_login", "date_joined"):
                if name in form.fields and name not in form.changed_data:
                    setattr(obj, name, form.initial.get(name))
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The user's fields and its groups are saved one after the other: one audit event for both.
        with transaction.atomic(using=router.db_for_write(self.model)), user_changes_as_one_event():
            return super().changeform_view(request, object_id, form_url, extra_context)

    # Users are deactivated, never deleted: the audit trail names them (by id and username) for ever,
    # and its rows cannot be changed to forget them.
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Deactivate the selected users (they can no longer log in)", permissions=["change"])
    def deactivate(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])  # one audited change per user (core.user_audit)
            count += 1
        self.message_user(request, f"{count} user{'s' if count != 1 else ''} deactivated.")

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            if unquote(id) == str(request.user.pk):
                return redirect(f"{self.admin_site.name}:password_change")
            raise Http404("No such user.")
        return super().user_change_password(request, id, form_url)


admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
