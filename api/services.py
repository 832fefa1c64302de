"""The only writers of API tokens: made and revoked by administrators, each change audited."""
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from core.audit import audit_record
from core.models import AuditEvent


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _actor(by) -> dict:
    authenticated = by is not None and by.is_authenticated
    return {"user": by if authenticated else None, "username": None if authenticated else "(system)"}


def token_create(*, user, by=None, request=None) -> tuple[ApiToken, str]:
    """A new token for ``user``, made by ``by`` (None: a management command). Returns the token and
    its key: the key is not stored, so this is the only time anyone sees it."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, key_hash=key_hash(key), prefix=key[:8], created_at=timezone.now(),
                                        created_by=by.get_username() if by is not None and by.is_authenticated
                                        else "(system)")
        audit_record(**_actor(by), action=AuditEvent.Action.PERMISSION_CHANGE, object_type="api_token",
                     object_id=token.pk, request=request,
                     detail={"change": "created", "for": user.get_username(), "prefix": token.prefix})
    return token, key


def token_revoke(*, token: ApiToken, by=None, request=None) -> bool:
    """Revoke one token; False (and nothing audited) if it was revoked already."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if changed:
            audit_record(**_actor(by), action=AuditEvent.Action.PERMISSION_CHANGE, object_type="api_token",
                         object_id=token.pk, request=request,
                         detail={"change": "revoked", "for": token.user.get_username(), "prefix": token.prefix})
    return bool(changed)


def tokens_revoke_all(*, user, by=None, request=None) -> int:
    """Revoke every live token of ``user``; how many were revoked."""
    return sum(token_revoke(token=t, by=by, request=request)
               for t in ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("user"))
