"""The audit trail's only writer, and the hash chain that makes a change to it evident.

Every event carries ``prev_hash``, the hash of the event before it (empty for the first), and
``hash``, SHA-256 over ``prev_hash`` and the event's content. The triggers refuse UPDATE and
DELETE to the application; the chain shows what anyone who got round them (the tables' owner)
changed, deleted or cut off, and ``audit_chain_verify`` names the first broken link.
"""
import contextvars
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.mail import mail_admins
from django.db import connection, transaction
from django.utils import timezone

from core.models import AuditCheckpoint, AuditEvent

# The request being served, so that changes made deep inside Django (group
# membership, object permissions) are attributed to the person who made them.
current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)

# Any constant other than scoring's (7_460_301): every append to the chain takes this PostgreSQL
# advisory lock until its transaction ends, so two writers never link to the same event.
CHAIN_LOCK_KEY = 7_460_302

# What the hash covers. Not the id: the database assigns it only at the INSERT, and the row cannot
# be updated afterwards (the triggers), so the hash is computed before the id exists. Leaving it out
# loses nothing: an event's place in the chain is fixed by prev_hash, which the hash covers, and the
# id only orders the walk.
HASHED = ("prev_hash", "at", "user_id", "username", "action", "object_type", "object_id", "detail", "ip")


def client_ip(request) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies, each appending the address
    it saw to X-Forwarded-For, the client is that many entries from the right; anything further left
    was sent by the client and is not trusted. The audit trail and the login lockout both use it."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def _canonical(value):
    """Detail as the database gives it back: jsonb may return a float with no fraction as an
    integer (1e16 as 10000000000000000), so such a float is hashed as the integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def event_hash(*, prev_hash: str, at, user_id, username: str, action: str, object_type: str, object_id: str,
               detail: dict, ip: str | None) -> str:
    """SHA-256 of one canonical serialisation: sorted-key JSON, the time in UTC to the microsecond."""
    content = {
        "prev_hash": prev_hash, "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": user_id, "username": username, "action": action, "object_type": object_type,
        "object_id": object_id, "detail": _canonical(detail), "ip": ip,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _chain_head() -> str:
    """The last event's hash, read under a lock held until the caller's INSERT commits, so the next
    writer reads this event. PostgreSQL: a transaction-level advisory lock; under READ COMMITTED
    (Django's default) the SELECT after it sees every committed event. SQLite: a write that changes
    nothing, first, takes the database's write lock; a transaction that read first could not take
    it while another writer held it and would fail at once with "database is locked"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        else:
            cursor.execute("UPDATE portal_auditevent SET id = id WHERE 0")
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""


def audit_record(*, user, action: str, object_type: str = "", object_id="", detail: dict | None = None,
                 request=None, username: str | None = None) -> AuditEvent:
    """Append one event to the audit trail. The only writer of AuditEvent."""
    authenticated = user is not None and user.is_authenticated
    event = AuditEvent(
        user=user if authenticated else None,
        username=username or (user.get_username() if authenticated else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        # Through JSON once, so the hash covers exactly what the database will give back.
        detail=json.loads(json.dumps(detail or {})),
        ip=AuditEvent._meta.get_field("ip").get_prep_value(client_ip(request)),
    )
    # No savepoint: a failed INSERT spoils the caller's transaction as it always has, one query fewer.
    with transaction.atomic(savepoint=False):
        event.prev_hash = _chain_head()
        event.at = timezone.now()  # after the lock, so times rise along the chain
        event.hash = event_hash(**{f: getattr(event, f) for f in HASHED})
        event.save(force_insert=True)
    return event


@dataclass
class ChainReport:
    count: int
    last_event_id: int | None
    last_hash: str
    broken: str = ""  # the first broken link, in words; empty when the chain is intact


def audit_chain_verify() -> ChainReport:
    """Walk the chain in id order, recompute every hash, and hold the end against the last checkpoint."""
    checkpoint = AuditCheckpoint.objects.order_by("-id").first()
    count, last_id, last_hash, reached_checkpoint = 0, None, "", checkpoint is None or checkpoint.count == 0

    def report(broken=""):
        return ChainReport(count=count, last_event_id=last_id, last_hash=last_hash, broken=broken)

    rows = AuditEvent.objects.order_by("id").values("id", "hash", *HASHED)
    for row in rows.iterator(chunk_size=2000):
        if row["prev_hash"] != last_hash:
            after = f"event {last_id}" if last_id else "the start of the trail"
            return report(f"event {row['id']} does not follow {after}: an event between them was deleted, "
                          "or the chain was re-linked")
        if event_hash(**{f: row[f] for f in HASHED}) != row["hash"]:
            return report(f"event {row['id']} ({row['at']:%Y-%m-%d %H:%M:%S} {row['username'] or '-'} "
                          f"{row['action']}) was changed after it was written: its hash does not match its content")
        count, last_id, last_hash = count + 1, row["id"], row["hash"]
        if checkpoint is not None and last_id == checkpoint.last_event_id:
            if (last_hash, count) != (checkpoint.last_hash, checkpoint.count):
                return report(f"event {last_id} is not what the checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} "
                              f"recorded ({checkpoint.count} events up to it): the chain was rewritten")
            reached_checkpoint = True
    if not reached_checkpoint:
        return report(f"the trail ends at {f'event {last_id}' if last_id else 'no event'} after {count} events, "
                      f"but the checkpoint of {checkpoint.at:%Y-%m-%d %H:%M} recorded {checkpoint.count} events "
                      f"up to event {checkpoint.last_event_id}: its tail was removed")
    return report()


def audit_chain_check() -> ChainReport:
    """The periodic check: a checkpoint when the chain is intact; otherwise an event and a mail to ADMINS."""
    result = audit_chain_verify()
    if not result.broken:
        AuditCheckpoint.objects.create(last_event_id=result.last_event_id, last_hash=result.last_hash,
                                       count=result.count)
        return result
    # The event first: it is written even if no mail can be sent.
    audit_record(user=None, username="(system)", action=AuditEvent.Action.CHAIN_BROKEN, object_type="audit_trail",
                 detail={"broken": result.broken, "intact_events": result.count})
    mail_admins("Audit trail broken", f"{result.broken}.\n\nThe chain is intact for the first {result.count} "
                f"events. Check the database's roles and its logs; run `manage.py audit_verify` to see it again.")
    return result
