"""Background work of the core app: the periodic check of the audit trail."""
from celery import shared_task

from core.audit import audit_chain_check


@shared_task(name="core.tasks.audit_verify")
def audit_verify() -> dict:
    """Verify the audit chain (scheduled in settings.CELERY_BEAT_SCHEDULE): a checkpoint when intact,
    an event and a mail to ADMINS when broken."""
    result = audit_chain_check()
    return {"count": result.count, "last_event_id": result.last_event_id, "broken": result.broken}
