"""Background work of the records app: thin tasks that call a service."""
from celery import shared_task

from records.services import record_partitions_maintain


@shared_task(name="records.tasks.maintain_partitions")
def maintain_partitions() -> int:
    """The daily upkeep of the records' month partitions (scheduled in settings.CELERY_BEAT_SCHEDULE)."""
    done = record_partitions_maintain()
    return len(done["created"]) + len(done["split"])
