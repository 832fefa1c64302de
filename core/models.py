"""Organisations and the audit trail: what every layer above refers to.

The tables keep their first names (``db_table``): these models began in ``portal``.
"""
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone


class Organisation(models.Model):
    """The force itself or a partner agency; partner users belong to one through its group."""

    class Kind(models.TextChoices):
        FORCE = "force"
        PARTNER = "partner"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    group = models.OneToOneField(Group, null=True, blank=True, on_delete=models.PROTECT, related_name="organisation")
    # The upload kinds this organisation may send (partners send only their own data).
    upload_kinds = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "portal_organisation"
        ordering = ["name"]

    def __str__(self):
        return self.name


class AuditEvent(models.Model):
    """One entry of the append-only audit trail.

    UPDATE and DELETE are refused by a database trigger (portal migration 0003), so
    not even the admin or a raw query through the application can alter it. Each event
    also carries the hash of the one before it and its own (``core.audit``), so an edit,
    a deletion or a truncation made around the triggers is found by ``manage.py audit_verify``.
    """

    class Action(models.TextChoices):
        LOGIN = "login"
        LOGIN_FAILED = "login_failed"
        LOGOUT = "logout"
        VIEW = "view"
        EXPORT = "export"
        UPLOAD = "upload"
        PERMISSION_CHANGE = "permission_change"
        ADMIN_CHANGE = "admin_change"
        RECOMPUTE = "recompute"
        DENIED = "denied"
        CHAIN_BROKEN = "chain_broken"

    # Set in Python, not by auto_now_add, because the hash written with the row covers it.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept even if the user is later deleted")
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="", help_text="Empty for the first event")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        db_table = "portal_auditevent"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"


class AuditCheckpoint(models.Model):
    """Where the audit chain stood when it was last verified intact: a later verify that finds
    fewer events, or another hash at ``last_event_id``, knows the trail's tail was cut off."""

    at = models.DateTimeField(default=timezone.now)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField()

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.count} events up to {self.last_event_id}"
