"""API tokens in the admin: an administrator makes one for a user (the key is shown once, in the
message after saving) and revokes it; nothing else about a token can be changed."""
from django.contrib import admin, messages

from api.models import ApiToken
from api.services import token_create, token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "created_by", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "prefix"]
    fields = ["user"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "prefix", "created_at", "created_by", "revoked_at"] if obj else []

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) if obj else ["user"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or request.user.has_perm("api.add_apitoken")

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the trail names the token

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = token_create(user=form.cleaned_data["user"], by=request.user, request=request)
        obj.pk, obj.prefix, obj.created_at = token.pk, token.prefix, token.created_at
        self.message_user(request, f"The key of {token.user} (shown only now, copy it): {key}", messages.WARNING)

    def log_addition(self, request, obj, message):
        return None  # token_create audits it

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        n = sum(token_revoke(token=t, by=request.user, request=request) for t in queryset.select_related("user"))
        self.message_user(request, f"Revoked {n} token(s).")
