import time

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

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


def _audit_m2m(kind):
    def receiver_(sender, instance, action, pk_set, model, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        _audit_permission_change(
            instance,
            {"change": kind, "action": action, "ids": sorted(pk_set or [])},
        )
    return receiver_


def _audit_permission_change(instance, detail):
    request = current_request.get()
    actor = getattr(request, "user", None)
    audit_record(
        user=actor, username=None if actor is not None and actor.is_authenticated else "(system)",
        action=AuditEvent.Action.PERMISSION_CHANGE, object_type=type(instance).__name__.lower(),
        object_id=instance.pk, detail=detail, request=request,
    )


# Role and permission changes are recorded however they are made (admin, shell, service).
from django.contrib.auth.models import Group, User  # noqa: E402

_user_groups = _audit_m2m("user.groups")
_user_perms = _audit_m2m("user.user_permissions")
_group_perms = _audit_m2m("group.permissions")
m2m_changed.connect(_user_groups, sender=User.groups.through, weak=False)
m2m_changed.connect(_user_perms, sender=User.user_permissions.through, weak=False)
m2m_changed.connect(_group_perms, sender=Group.permissions.through, weak=False)

