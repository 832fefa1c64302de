"""Changes to users in the audit trail, however they are made (admin, a service, the shell).

Every save of a user that changes something is one event (``object_type`` "user", ``object_id``
its id) naming the actor (the logged-in user of the request, or "(system)"), the target's id and
username, and each change as ``field: {"old": ..., "new": ...}``. The password is never
recorded, only ``"password": "changed"`` (or "set", "made unusable"). Group and permission
changes are ``groups`` / ``user_permissions``: ``{"added": [...], "removed": [...]}`` by name.

The action is ``permission_change`` when the change touches what the user may do
(``PRIVILEGE_FIELDS``), ``admin_change`` otherwise (profile fields, password, creation).

Django saves a user's fields and its many-to-many relations separately; inside
``user_changes_as_one_event()`` (the admin's add and change forms) they are gathered and
written as one event per user when the block ends. Not seen: ``QuerySet.update()`` and raw SQL,
which send no signal.
"""
import contextlib
import contextvars

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, Permission, User

from core.audit import audit_record, current_request
from core.models import AuditEvent

PRIVILEGE_FIELDS = frozenset({"is_superuser", "is_staff", "is_active", "groups", "user_permissions"})
_UNTRACKED = frozenset({"id", "last_login"})  # logins are audited as such
_MISSING = object()

# user pk -> {"user": User, "created": bool, "changes": {...}} while changes are gathered.
_gathered: contextvars.ContextVar = contextvars.ContextVar("user_changes_gathered", default=None)


@contextlib.contextmanager
def user_changes_as_one_event():
    """Gather the changes made to each user in the block; write one event per user at its end
    (nothing if the block raises: its transaction is rolled back)."""
    gathered = {}
    token = _gathered.set(gathered)
    try:
        yield
        for entry in gathered.values():
            _write(entry["user"], entry["changes"], entry["created"])
    finally:
        _gathered.reset(token)


def _tracked_fields(update_fields=None):
    fields = [f for f in User._meta.concrete_fields if f.name not in _UNTRACKED]
    if update_fields is not None:
        fields = [f for f in fields if f.name in update_fields or f.attname in update_fields]
    return fields


def _plain(value):
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def _usable(password):
    return bool(password) and not password.startswith(UNUSABLE_PASSWORD_PREFIX)


def _password_change(old, new):
    if not _usable(new):
        return "made unusable" if _usable(old) else None
    return "changed" if _usable(old) else "set"


def _field_changes(before, user, fields):
    changes = {}
    for field in fields:
        old, new = before.get(field.attname), getattr(user, field.attname)
        if old == new:
            continue
        if field.name == "password":
            note = _password_change(old, new)
            if note:
                changes["password"] = note
        else:
            changes[field.name] = {"old": _plain(old), "new": _plain(new)}
    return changes


def before_save(instance, raw=False, update_fields=None):
    """pre_save: keep the stored values of the fields about to be saved."""
    if raw:
        return
    fields = _tracked_fields(update_fields)
    if instance._state.adding or not fields:
        instance._audit_before = None if instance._state.adding else {}
        return
    stored = User.objects.filter(pk=instance.pk).values(*[f.attname for f in fields]).first()
    instance._audit_before = stored  # None: not stored yet after all (saved with an explicit pk)


def _blank(instance, field):
    """A field's value on a user not yet created (a computed default, date_joined, counts as given)."""
    if field.name == "password":
        return None
    if field.has_default() and callable(field.default):
        return getattr(instance, field.attname)
    return field.get_default()


def after_save(instance, created=False, raw=False, update_fields=None):
    """post_save: note what the save changed."""
    if raw:
        return
    before = instance.__dict__.pop("_audit_before", _MISSING)
    if before is _MISSING:
        return
    fields = _tracked_fields(update_fields)
    if before is None:  # a new user: what differs from a blank one
        created = True
        before = {f.attname: _blank(instance, f) for f in fields}
    _note(instance, _field_changes(before, instance, fields), created=created)


def _labels(model, pks):
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return sorted(f"{app}.{codename}" for app, codename in rows)
    return sorted(str(pk) for pk in pks)


def m2m_changed(field_name, instance, action, reverse, model, pk_set):
    """m2m_changed on User.groups / User.user_permissions, from either side."""
    if action == "pre_clear":
        instance._audit_cleared = set(
            getattr(instance, field_name).values_list("pk", flat=True) if not reverse
            else instance.user_set.values_list("pk", flat=True)
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = instance.__dict__.pop("_audit_cleared", set())
    if not pk_set:
        return
    key = "added" if action == "post_add" else "removed"
    if not reverse:  # user.groups.add(...): one user, several groups
        _note(instance, {field_name: {key: _labels(model, pk_set)}})
        return
    label = _labels(type(instance), [instance.pk])  # group.user_set.add(...): one group, several users
    for user in User.objects.filter(pk__in=pk_set).order_by("pk"):
        _note(user, {field_name: {key: label}})


def _merge(into, changes):
    for name, change in changes.items():
        if name in ("groups", "user_permissions"):
            current = into.setdefault(name, {"added": [], "removed": []})
            current.setdefault("added", []), current.setdefault("removed", [])
            for key, other in (("added", "removed"), ("removed", "added")):
                for label in change.get(key, []):
                    if label in current[other]:
                        current[other].remove(label)  # removed then added again: no net change
                    elif label not in current[key]:
                        current[key].append(label)
        elif name in into and isinstance(change, dict):
            into[name] = {"old": into[name]["old"], "new": change["new"]}
        else:
            into[name] = change


def _tidy(changes):
    tidy = {}
    for name, change in changes.items():
        if name in ("groups", "user_permissions"):
            change = {k: sorted(v) for k, v in change.items() if v}
            if change:
                tidy[name] = change
        elif not (isinstance(change, dict) and change.get("old") == change.get("new")):
            tidy[name] = change
    return tidy


def _note(user, changes, created=False):
    gathered = _gathered.get()
    if gathered is None:
        _write(user, changes, created)
        return
    entry = gathered.setdefault(user.pk, {"user": user, "created": False, "changes": {}})
    entry["user"], entry["created"] = user, entry["created"] or created
    _merge(entry["changes"], changes)


def _write(user, changes, created):
    changes = _tidy(changes)
    if not changes and not created:
        return None
    request = current_request.get()
    actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    detail = {"target_id": user.pk, "target_username": user.get_username(), "changes": changes}
    if created:
        detail["created"] = True
    action = (AuditEvent.Action.PERMISSION_CHANGE if PRIVILEGE_FIELDS & changes.keys()
              else AuditEvent.Action.ADMIN_CHANGE)
    return audit_record(user=actor, username=None if actor is not None else "(system)", action=action,
                        object_type="user", object_id=user.pk, detail=detail, request=request)
