from celery import shared_task


@shared_task
def ping(value: int) -> int:
    """A round trip through the broker and a worker (used by the health test)."""
    return value + 1
