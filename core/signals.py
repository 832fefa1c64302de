import time

from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models import ProtectedError
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver

from core import user_audit
from core.audit import audit_record, current_request
from core.middleware import SESSION_LOGIN_AT, SESSION_RENEWED_AT
from core.models import AuditEvent


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(user=user, action=AuditEvent.Action.LOGIN, request=request)


@receiver(user_logged_in)
def _remember_login_time(sender, request, user, **kwargs):
    """For the absolute session limit (core.middleware.SessionMaxAgeMiddleware)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_LOGIN_AT] = session[SESSION_RENEWED_AT] = time.time()


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "logout_reason", None)
        audit_record(user=user, action=AuditEvent.Action.LOGOUT, detail={"reason": reason} if reason else None,
                     request=request)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    # django-axes (whose receiver runs first) marks the request of a failure that locked the login,
    # or that was refused because it was locked.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        user=None, username=str(credentials.get("username", ""))[:150], action=AuditEvent.Action.LOGIN_FAILED,
        detail={"locked_out": True} if locked_out else None, request=request,
    )


# Changes to users (fields, password, groups, permissions) are recorded however they are made
# (admin, shell, service): core.user_audit, one event per user naming them.
@receiver(pre_save, sender=User)
def _audit_user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    user_audit.before_save(instance, raw=raw, update_fields=update_fields)


@receiver(post_save, sender=User)
def _audit_user_after_save(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    user_audit.after_save(instance, created=created, raw=raw, update_fields=update_fields)


@receiver(m2m_changed, sender=User.groups.through)
def _audit_user_groups(sender, instance, action, reverse, model, pk_set, **kwargs):
    user_audit.m2m_changed("groups", instance, action, reverse, model, pk_set)


@receiver(m2m_changed, sender=User.user_permissions.through)
def _audit_user_permissions(sender, instance, action, reverse, model, pk_set, **kwargs):
    user_audit.m2m_changed("user_permissions", instance, action, reverse, model, pk_set)


# A role's permissions (the group side; changed by the roles migrations, or a superuser).
@receiver(m2m_changed, sender=Group.permissions.through)
def _audit_group_permissions(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    request = current_request.get()
    actor = getattr(request, "user", None)
    authenticated = actor is not None and actor.is_authenticated
    audit_record(
        user=actor, username=None if authenticated else "(system)",
        action=AuditEvent.Action.PERMISSION_CHANGE, object_type=type(instance).__name__.lower(),
        object_id=instance.pk, detail={"change": "group.permissions", "action": action, "ids": sorted(pk_set or [])},
        request=request,
    )


@receiver(pre_delete, sender=User, dispatch_uid="core.users_are_deactivated")
def _refuse_user_delete(sender, instance, **kwargs):
    # The audit trail names every user who acted, and its rows cannot change: deactivate instead.
    raise ProtectedError(f"User {instance.get_username()} cannot be deleted: deactivate them instead "
                         "(the audit trail keeps naming them).", {instance})
